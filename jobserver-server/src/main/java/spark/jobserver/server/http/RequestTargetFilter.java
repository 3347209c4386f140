package spark.jobserver.server.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Refuses a request whose target cannot be decoded, before anything reads it: a {@code %} not followed
 * by two hex digits, percent-encoded bytes that are not UTF-8, or an encoded NUL, in the query string or
 * anywhere in the path. Jetty checks the path itself but not its {@code ;parameters}, which Javalin
 * decodes with the path parameters; in the query, Javalin would read a malformed parameter as absent
 * and {@code URLDecoder} would throw. One check for every route: 400 with the JSON envelope.
 */
final class RequestTargetFilter implements Filter {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        String problem = pathProblem(http.getRequestURI());
        if (problem != null) {
            problem = "Invalid path: " + problem;
        } else {
            problem = queryProblem(http.getQueryString());
            problem = problem == null ? null : "Invalid query string: " + problem;
        }
        if (problem != null) {
            Replies.error((HttpServletResponse) response, ApiException.error(400, problem));
            return;
        }
        chain.doFilter(request, response);
    }

    /** What is wrong with a raw (still encoded) path, or null when it decodes. */
    static String pathProblem(String path) {
        return path == null ? null : decodingProblem(path);
    }

    /** What is wrong with a raw (still encoded) query string, or null when every part of it decodes. */
    static String queryProblem(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String problem = eq < 0 ? decodingProblem(pair) : decodingProblem(pair.substring(0, eq));
            if (problem == null && eq >= 0) {
                problem = decodingProblem(pair.substring(eq + 1));
            }
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String decodingProblem(String encoded) {
        if (encoded.indexOf('%') < 0) {
            return null; // nothing encoded: nothing to decode wrongly (every request takes this path)
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c != '%') {
                int codePoint = encoded.codePointAt(i);
                bytes.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint) - 1;
                continue;
            }
            int high = i + 1 < encoded.length() ? hexDigit(encoded.charAt(i + 1)) : -1;
            int low = i + 2 < encoded.length() ? hexDigit(encoded.charAt(i + 2)) : -1;
            if (high < 0 || low < 0) {
                return "'" + encoded.substring(i, Math.min(i + 3, encoded.length()))
                        + "' is not a percent-encoded byte (% and two hex digits)";
            }
            if (high == 0 && low == 0) {
                return "it contains an encoded NUL character (%00)";
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()));
            return null;
        } catch (CharacterCodingException e) {
            return "its percent-encoded bytes are not UTF-8";
        }
    }

    /** The value of an ASCII hex digit, or -1 (Character.digit would take any script's digits). */
    private static int hexDigit(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }
}
