package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import spark.jobserver.it.TestingJobServer.Reply;

/**
 * Seeded random requests over loopback: random methods (junk ones and {@code _method} overrides
 * included), junk path segments under every route prefix and unknown ones, junk query keys and values
 * (malformed percent-encodings, NULs, huge numbers, unicode), junk bodies (random bytes, truncated
 * HOCON/JSON, huge numbers, deep nesting within the size limit) and junk content types. No reply may
 * be a 5xx other than 501 for an unknown {@code _method} (the reference's answer), and every error
 * reply must be the JSON envelope. A summary of the statuses is printed.
 *
 * <p>The seed is printed; {@code -Djobserver.random.seed=<n>} replays or varies a run and
 * {@code -Djobserver.random.requests=<n>} changes how many requests are sent.
 *
 * <p><b>No driver JVM is ever started</b>, which keeps the test to a few seconds: the generator never
 * sends a request that could start a context. A request that may act as {@code POST /contexts/<name>}
 * (by its method or a {@code _method} override) names a context the server refuses, whose first
 * character is not a letter; one that may act as {@code POST /jobs} carries, as its first and only
 * {@code appName}, {@code unknown_app_<letters>}: no such binary exists and the name cannot be read as
 * a URI, so the job is refused with 404 before any context is looked up or started. Every generated
 * request is checked against this rule after decoding and normalising its path the ways the server
 * might ({@link #mayStartContext}); a request that fails the check is replaced by a new one. The test
 * ends by checking that no context was recorded and no process started.
 */
class RandomRequestsIT {
    private static final long DEFAULT_SEED = 20_261_130L;
    private static final int DEFAULT_REQUESTS = 1_500;
    private static final int LIMIT = 64 * 1024;
    private static final byte[] ZIP_MAGIC = {0x50, 0x4B, 0x03, 0x04};

    private static final List<String> PREFIXES = List.of(
            "/binaries",
            "/contexts",
            "/jobs",
            "/data",
            "/healthz",
            "/driver/binaries",
            "/driver/data",
            "/driver/results",
            "/driver/ws",
            "/driver",
            "",
            "/html",
            "/metricz",
            "/statusz",
            "/favicon.ico",
            "/unknown",
            "/api/v1",
            "/BINARIES",
            "/jobs/" + new UUID(42, 42) + "/config");
    private static final List<String> SEGMENTS = List.of(
            "x",
            "abc",
            "1abc",
            "known-app",
            "..",
            ".",
            "%2e",
            "%2e%2e",
            "%2F",
            "..%2F..%2Fevil",
            "%2Fetc%2Fpasswd",
            "%00",
            "a%00b",
            "%ZZ",
            "%",
            "a%",
            "%2",
            "%E9",
            "%C3%28",
            "%C3%A9t%C3%A9",
            "%F0%9F%98%80",
            "%ED%A0%80",
            "été",
            "日本",
            "\uD83D\uDE00",
            "a;b",
            ";",
            "%3B",
            "~",
            "a%20b",
            "a b",
            "+",
            "%25",
            "%5C",
            "\\",
            "%7F",
            "%0A",
            "%0D%0A",
            "*",
            "'",
            "\"",
            "<script>",
            "${x}",
            "{}",
            "[]",
            "#frag",
            "?",
            "a".repeat(300),
            "b".repeat(5_000),
            "00000000-0000-0000-0000-000000000000",
            "0".repeat(64),
            "null",
            "-1",
            "99999999999999999999",
            "config");
    private static final List<String> KEYS = List.of(
            "status",
            "limit",
            "force",
            "sync",
            "timeout",
            "context",
            "appName",
            "classPath",
            "cp",
            "mainClass",
            "callbackUrl",
            "reset",
            "num-cpu-cores",
            "memory-per-node",
            "context-factory",
            "spark.executor.memory",
            "a.b.c",
            "a..b",
            ".",
            "\"quoted\"",
            "",
            "%ZZ",
            "%00",
            "a%",
            "%5Fmethod",
            "日本",
            "x");
    private static final List<String> VALUES = List.of(
            "",
            "true",
            "false",
            "maybe",
            "-1",
            "0",
            "1",
            "2147483648",
            "99999999999999999999999999999999",
            "1e309",
            "-1e309",
            "NaN",
            "0x10",
            "%ZZ",
            "%",
            "%2",
            "%00",
            "a%00b",
            "%E9",
            "%C3%28",
            "%C3%A9",
            "%F0%9F%98%80",
            "%ED%A0%80",
            "été",
            "\u0000",
            "reboot",
            "REBOOT",
            "FINISHED",
            "running",
            "error",
            "http://127.0.0.1:1/callback",
            "ftp://x",
            "javascript:alert(1)",
            "${x}",
            "${?HOME}",
            "[[[",
            "{",
            "a.b",
            "+",
            "a+b",
            "%2B",
            "c".repeat(2_000));
    private static final List<String> OVERRIDES = List.of(
            "GET",
            "POST",
            "PUT",
            "DELETE",
            "PATCH",
            "HEAD",
            "OPTIONS",
            "delete",
            "put",
            "get",
            "TRACE",
            "CONNECT",
            "FOO",
            "",
            "%ZZ",
            "%",
            "%00",
            "DEL%45TE",
            "PO%53T",
            "GET%00",
            "GÉT");
    private static final List<String> METHODS = List.of(
            "GET",
            "GET",
            "GET",
            "GET",
            "GET",
            "POST",
            "POST",
            "POST",
            "POST",
            "POST",
            "PUT",
            "PUT",
            "DELETE",
            "DELETE",
            "DELETE",
            "HEAD",
            "HEAD",
            "OPTIONS",
            "PATCH",
            "TRACE",
            "CONNECT",
            "FOO",
            "get",
            "BREW",
            "PROPFIND",
            "M-SEARCH");
    private static final List<String> CONTENT_TYPES = List.of(
            "text/plain",
            "application/json",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=utf-8",
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
            "application/java-archive",
            "application/python-egg",
            "application/python-wheel",
            "application/python-archive",
            "text/plain; charset=does-not-exist",
            "text/plain; charset=",
            "text/plain; charset=ISO-8859-1",
            "application/json; charset=utf-16",
            "application/json; charset=\"",
            "*/*",
            "",
            ";",
            ";;;=",
            "a/b/c",
            "application/java-archive; q=0.5",
            "étrange/été",
            "x".repeat(3_000));
    private static final List<String> CONFIGS = List.of(
            "input.string = \"a b c\"",
            "{\"input\": {\"string\": \"a b c\"}, \"dependent-jar-uris\": [\"x\"]}",
            "spark.context-settings { num-cpu-cores = 2, memory-per-node = 512m }",
            "dependent-jar-uris = [\"file:///nonexistent.jar\", \"unknown\"]",
            "dependent-jar-uris = { a = 1 }",
            "dependent-jar-uris = 5",
            "cp = [1, 2, {}]",
            "mainClass = { a = b }",
            "a = ${b}\nb = ${a}",
            "a = ${undefined}",
            "include \"nonexistent.conf\"",
            "include file(\"/nonexistent.conf\")",
            "a = [1, 2, 3\n",
            "\"unterminated",
            "{\"a\": 1, \"a\": {\"b\": [true, null, 1.5e3]}}",
            "a=%ZZ&b=%00",
            "input.string = \"日本語 \uD83D\uDE00\"");

    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start("akka.http.server.parsing.max-content-length = " + LIMIT + "\n");
        byte[] zip = {0x50, 0x4B, 0x03, 0x04, 0, 0};
        assertThat(server.post("/binaries/known-app", zip, "application/java-archive")
                        .status())
                .isEqualTo(201);
        assertThat(server.post("/data/known", "some data").status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void noRandomRequestGetsA5xxAndEveryErrorIsTheJsonEnvelope() {
        long seed = Long.getLong("jobserver.random.seed", DEFAULT_SEED);
        int count = Integer.getInteger("jobserver.random.requests", DEFAULT_REQUESTS);
        System.out.println("RandomRequestsIT: seed " + seed + ", " + count + " requests"
                + " (replay with -Djobserver.random.seed=" + seed + ")");
        Generator generator = new Generator(new Random(seed));
        int port = java.net.URI.create(server.baseUrl()).getPort();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Request request = generator.next();
            Reply reply;
            try {
                reply = request.send(port);
            } catch (java.io.UncheckedIOException e) {
                failures.add("#" + i + " " + request + "\n    -> no HTTP reply: " + e.getMessage());
                continue;
            }
            statuses.merge(reply.status(), 1, Integer::sum);
            String problem = problem(request, reply);
            if (problem != null) {
                failures.add("#" + i + " " + request + "\n    -> " + problem + ": " + abbreviate(reply.toString()));
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println(
                "RandomRequestsIT: " + count + " requests in " + millis + " ms; replies by status: " + statuses);
        failures.forEach(f -> System.out.println("RandomRequestsIT: " + f));
        assertThat(failures.size())
                .as("bad replies (seed %d), listed above", seed)
                .isZero();
        assertThat(server.get("/contexts").json().size()).isZero();
        assertThat(contextDirectories()).isEmpty();
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .isEmpty();
        assertThat(server.get("/healthz").status()).isEqualTo(200);
    }

    /** What is wrong with a reply, or null. */
    private static String problem(Request request, Reply reply) {
        int status = reply.status();
        if (status >= 500 && !(status == 501 && request.hasMethodOverride())) {
            return "server error";
        }
        if (status == 501 && !request.method().equals("HEAD") && !reply.body().contains("Unsupported HTTP method")) {
            return "501 that is not about the _method parameter";
        }
        if (status < 400) {
            return null;
        }
        if (!reply.header("Content-Type").orElse("").startsWith("application/json")) {
            return "error reply without a JSON content type";
        }
        if (request.method().equals("HEAD") && reply.body().isEmpty()) {
            return null;
        }
        if (request.method().equals("HEAD") && !refusedByTheParser(request.target())) {
            return "HEAD reply with a body";
        }
        JsonNode body;
        try {
            body = reply.json();
        } catch (AssertionError e) {
            return "error reply that is not JSON";
        }
        if (!body.isObject() || !body.path("status").isTextual() || !body.has("result")) {
            return "error reply that is not the envelope";
        }
        if (reply.body().contains("\tat ")
                || reply.body().contains("\\tat ")
                || reply.body().contains("<html")) {
            return "error reply with a stack trace or HTML";
        }
        return null;
    }

    /**
     * Whether Jetty may refuse the request line itself (a character not allowed in a request target, a
     * malformed escape or an encoded NUL in the path): it answers the JSON envelope before the request
     * has a method, so a HEAD gets the body too, and the connection is closed.
     */
    private static boolean refusedByTheParser(String target) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        return target.chars().anyMatch(c -> c <= ' ' || c >= 0x7F || "\"<>\\^`{|}#".indexOf(c) >= 0)
                || MALFORMED_ESCAPE.matcher(path).find()
                || path.contains("%00");
    }

    private static String abbreviate(String text) {
        return printable(text.length() <= 600 ? text : text.substring(0, 600) + "…");
    }

    /** Control characters escaped, so that a request or reply prints on one line. */
    static String printable(String text) {
        StringBuilder s = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                s.append(String.format("\\u%04x", c));
            } else {
                s.appendCodePoint(c);
            }
        });
        return s.toString();
    }

    private static List<Path> contextDirectories() {
        Path dir = server.root().resolve("contexts");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- requests

    /** A request as sent: method, raw target, body (null: none) and Content-Type (null: none). */
    record Request(String method, String target, byte[] body, String contentType) {
        Reply send(int port) {
            return contentType == null
                    ? RawHttp.send(port, method, target, body)
                    : RawHttp.send(port, method, target, body, "Content-Type", contentType);
        }

        boolean hasMethodOverride() {
            return !overrides(query(target)).isEmpty();
        }

        @Override
        public String toString() {
            String text = method + " " + abbreviate(target);
            if (contentType != null) {
                text += " [Content-Type: " + abbreviate(contentType) + "]";
            }
            if (body != null) {
                text += " body(" + body.length + " bytes): "
                        + abbreviate(new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8)
                                .replace("\n", "\\n"));
            }
            return text;
        }

        private static String abbreviate(String s) {
            return printable(s.length() <= 200 ? s : s.substring(0, 200) + "…(" + s.length() + " chars)");
        }
    }

    /** Builds random requests; every one it returns passes {@link #mayStartContext}. */
    private static final class Generator {
        private final Random random;
        /** Whether the request being built has well-formed path segments and parameters (half of them). */
        private boolean tame;

        Generator(Random random) {
            this.random = random;
        }

        Request next() {
            while (true) {
                Request candidate = candidate();
                if (!mayStartContext(candidate.method(), candidate.target())) {
                    return candidate;
                }
            }
        }

        private Request candidate() {
            tame = chance(50);
            if (chance(15)) {
                return jobStart();
            }
            String method = pick(METHODS);
            String prefix = pick(PREFIXES);
            StringBuilder path = new StringBuilder(prefix);
            int segments = random.nextInt(4);
            for (int i = 0; i < segments; i++) {
                path.append('/').append(segment());
            }
            if (path.isEmpty() || chance(5)) {
                path.append('/');
            }
            List<String> pairs = new ArrayList<>();
            int params = random.nextInt(5);
            for (int i = 0; i < params; i++) {
                pairs.add(pair());
            }
            if (chance(20)) {
                pairs.add(random.nextInt(pairs.size() + 1), "_method=" + tamed(() -> pick(OVERRIDES)));
            }
            String effective = effectiveMethod(method, pairs);
            if (effective.equals("POST") && prefix.equals("/contexts") && segments == 1 && !chance(10)) {
                // a name the server refuses before anything else: it does not start with a letter
                path = new StringBuilder("/contexts/" + random.nextInt(10) + safeSegment());
            }
            if (effective.equals("POST") && path.toString().startsWith("/jobs")) {
                pairs.removeIf(p -> p.startsWith("appName="));
                pairs.add(0, "appName=unknown_app_" + letters(1 + random.nextInt(8)));
            }
            String target =
                    path + (pairs.isEmpty() && !chance(5) ? "" : "?" + String.join(chance(5) ? "&&" : "&", pairs));
            return new Request(method, target, body(), chance(25) ? null : pick(CONTENT_TYPES));
        }

        /** {@code POST /jobs} of an unknown app with junk parameters, body and content type: exercises the body's reading. */
        private Request jobStart() {
            List<String> pairs = new ArrayList<>();
            pairs.add("appName=unknown_app_" + letters(1 + random.nextInt(8)));
            if (chance(70)) {
                pairs.add("classPath=" + (chance(50) ? "spark.jobserver.WordCountExample" : randomText(10)));
            }
            int params = random.nextInt(4);
            for (int i = 0; i < params; i++) {
                String pair = pair();
                if (!pair.startsWith("appName=")) {
                    pairs.add(pair);
                }
            }
            return new Request(
                    "POST", "/jobs?" + String.join("&", pairs), body(), chance(10) ? null : pick(CONTENT_TYPES));
        }

        /** The method the server acts on, as far as the generator knows it; junk is kept as is. */
        private static String effectiveMethod(String method, List<String> pairs) {
            for (String pair : pairs) {
                if (pair.startsWith("_method=")) {
                    return pair.substring("_method=".length()).toUpperCase(Locale.ROOT);
                }
            }
            return method.toUpperCase(Locale.ROOT);
        }

        private String segment() {
            return tamed(() -> switch (random.nextInt(4)) {
                case 0 -> randomText(1 + random.nextInt(30));
                case 1 -> new UUID(random.nextLong(), random.nextLong()).toString();
                default -> pick(SEGMENTS);
            });
        }

        /** Junk as {@code junk} makes it; for a tame request, only junk that the server can decode. */
        private String tamed(java.util.function.Supplier<String> junk) {
            for (int i = 0; i < 50; i++) {
                String s = junk.get();
                if (!tame || wellFormed(s)) {
                    return s;
                }
            }
            return "x";
        }

        /** Junk that stays one path segment and is never a dot segment. */
        private String safeSegment() {
            String s = chance(50) ? pick(SEGMENTS) : randomText(random.nextInt(20));
            return s.replace("/", "")
                    .replace("%2F", "")
                    .replace("%2f", "")
                    .replace("\\", "")
                    .replace("%5C", "")
                    .replace(".", "")
                    .replace("%2e", "")
                    .replace("?", "")
                    .replace("#", "");
        }

        private String pair() {
            String key = tamed(() -> chance(75) ? pick(KEYS) : randomText(1 + random.nextInt(10)));
            String value = tamed(() -> chance(75) ? pick(VALUES) : randomText(random.nextInt(20)));
            return switch (random.nextInt(10)) {
                case 0 -> key;
                case 1 -> "=" + value;
                default -> key + "=" + value;
            };
        }

        private byte[] body() {
            return switch (random.nextInt(12)) {
                case 0, 1, 2 -> null;
                case 3 -> new byte[0];
                case 4 -> randomBytes(random.nextInt(4_000));
                case 5 -> truncated(pick(CONFIGS));
                case 6 -> utf8(pick(CONFIGS));
                case 7 -> utf8(hugeNumbers());
                case 8 -> utf8(deepNesting());
                case 9 -> concat(ZIP_MAGIC, randomBytes(random.nextInt(200)));
                case 10 -> utf8(randomText(random.nextInt(500)));
                default -> concat(utf8("input.string = \""), new byte[] {0, (byte) 0xC3, 0x28, (byte) 0xFF, '"'});
            };
        }

        private byte[] truncated(String config) {
            return utf8(config.substring(0, random.nextInt(config.length() + 1)));
        }

        private String hugeNumbers() {
            String digits = "9".repeat(1 + random.nextInt(5_000));
            return switch (random.nextInt(5)) {
                case 0 -> "a = " + digits;
                case 1 -> "{\"limit\": -" + digits + "." + digits + "e" + digits + "}";
                case 2 -> "spark.context-settings.num-cpu-cores = " + digits;
                case 3 -> "a = 1e999999999";
                default -> "timeout = " + digits + "\nsync = " + digits;
            };
        }

        /** A text nested up to 20,000 levels deep, within the request size limit. */
        private String deepNesting() {
            int shape = random.nextInt(4);
            int depth = chance(50) ? 50 + random.nextInt(100) : 50 + random.nextInt(20_000);
            while (true) {
                String text = switch (shape) {
                    case 0 -> "a = " + "[".repeat(depth) + "]".repeat(depth);
                    case 1 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                    case 2 -> "a {".repeat(depth) + "}".repeat(depth);
                    default -> "[".repeat(depth);
                };
                if (text.length() < LIMIT) {
                    return text;
                }
                depth /= 2;
            }
        }

        private String randomText(int length) {
            String alphabet = "abcXYZ019-._~!$&'()*+,;=:@%/?#[]{}<>\"\\^`| é日\u0000\t";
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < length; i++) {
                if (chance(10)) {
                    s.append('%').append(HexFormat.of().toHexDigits((byte) random.nextInt(256)));
                } else if (chance(3)) {
                    s.append("%G").append(random.nextInt(10));
                } else {
                    s.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            return s.toString();
        }

        private String letters(int length) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < length; i++) {
                s.append((char) ('a' + random.nextInt(26)));
            }
            return s.toString();
        }

        private byte[] randomBytes(int length) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            return bytes;
        }

        private boolean chance(int percent) {
            return random.nextInt(100) < percent;
        }

        private <T> T pick(List<T> items) {
            return items.get(random.nextInt(items.size()));
        }

        private static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }

        private static byte[] concat(byte[] a, byte[] b) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(a);
            out.writeBytes(b);
            return out.toByteArray();
        }
    }

    // ---------------------------------------------------------------- the no-driver rule

    private static final Pattern MALFORMED_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");
    private static final Pattern UNKNOWN_APP = Pattern.compile("appName=unknown_app_[a-z]+(&.*)?");

    /**
     * Whether a request might start a context (and so a driver JVM), judged conservatively: its method
     * or any {@code _method} may be POST, and its path, decoded and normalised in any of the ways the
     * server might, is {@code /contexts/<a name starting with a letter>}, or {@code /jobs} without the
     * query starting with an unknown {@code appName} that is the only one.
     */
    static boolean mayStartContext(String method, String target) {
        String query = query(target);
        boolean mayPost = method.equalsIgnoreCase("POST")
                || overrides(query).stream().anyMatch(m -> m.trim().equalsIgnoreCase("POST"));
        if (!mayPost) {
            return false;
        }
        String rawPath = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        rawPath = rawPath.contains("#") ? rawPath.substring(0, rawPath.indexOf('#')) : rawPath;
        long appNames = pairs(query).stream()
                .filter(p -> p[0].trim().equalsIgnoreCase("appName"))
                .count();
        boolean unknownApp = UNKNOWN_APP.matcher(query).matches() && appNames == 1;
        for (List<String> path : normalisedPaths(rawPath)) {
            if (path.size() == 2 && path.get(0).equalsIgnoreCase("contexts") && startsWithLetter(path.get(1))) {
                return true;
            }
            if (path.size() == 1 && path.get(0).equalsIgnoreCase("jobs") && !unknownApp) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWithLetter(String name) {
        return !name.isEmpty() && (Character.isLetter(name.charAt(0)) || Character.isLetter(name.codePointAt(0)));
    }

    /** The path as segments, decoded and with dot segments resolved: with and without path parameters, split on encoded separators or not. */
    private static List<List<String>> normalisedPaths(String rawPath) {
        List<List<String>> paths = new ArrayList<>();
        for (boolean stripParameters : new boolean[] {false, true}) {
            for (boolean splitDecoded : new boolean[] {false, true}) {
                List<String> segments = new ArrayList<>();
                for (String raw : rawPath.split("/")) {
                    String segment = stripParameters && raw.contains(";") ? raw.substring(0, raw.indexOf(';')) : raw;
                    String decoded = decode(segment, false);
                    for (String part : splitDecoded ? decoded.split("[/\\\\]") : new String[] {decoded}) {
                        if (part.isEmpty() || part.equals(".")) {
                            continue;
                        }
                        if (part.equals("..")) {
                            if (!segments.isEmpty()) {
                                segments.remove(segments.size() - 1);
                            }
                        } else {
                            segments.add(part);
                        }
                    }
                }
                paths.add(segments);
            }
        }
        return paths;
    }

    static String query(String target) {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q + 1);
    }

    /** The values of every {@code _method} parameter, leniently decoded. */
    static List<String> overrides(String query) {
        return pairs(query).stream()
                .filter(p -> p[0].trim().equalsIgnoreCase("_method"))
                .map(p -> p[1])
                .toList();
    }

    /** The query's key/value pairs, leniently decoded (malformed escapes kept as they are). */
    private static List<String[]> pairs(String query) {
        List<String[]> pairs = new ArrayList<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            pairs.add(new String[] {decode(key, true), decode(value, true)});
        }
        return pairs;
    }

    /** Whether the server can decode {@code s} as part of a request target. */
    private static boolean wellFormed(String s) {
        String decoded = decode(s, false);
        return s.chars().noneMatch(c -> c <= ' ' || c >= 0x7F || "\"<>\\^`{|}#".indexOf(c) >= 0)
                && !MALFORMED_ESCAPE.matcher(s).find()
                && decoded.indexOf('\uFFFD') < 0
                && decoded.indexOf('\0') < 0;
    }

    /** Percent-decoding that keeps what it cannot decode; {@code +} is a space in a query. */
    private static String decode(String s, boolean query) {
        StringBuilder text = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
                continue;
            }
            text.append(bytes.toString(StandardCharsets.UTF_8));
            bytes.reset();
            text.append(c == '+' && query ? ' ' : c);
        }
        return text.append(bytes.toString(StandardCharsets.UTF_8)).toString();
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
