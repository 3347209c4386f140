package spark.jobserver.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before any route (URI or headers too long: 414/431, malformed requests:
 * 400), as the reference's JSON envelope instead of an HTML page, whatever the method; never a stack
 * trace or an exception's text.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
        return ByteBuffer.wrap(body(status, reason, null).getBytes(StandardCharsets.UTF_8));
    }

    /** Jetty writes error bodies for GET, POST and HEAD only; every method gets the envelope here. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (HttpMethod.HEAD.is(request.getMethod())) {
            callback.succeeded();
            return;
        }
        Content.Sink.write(response, true, body(code, message, cause), callback);
    }

    private static String body(int status, String reason, Throwable cause) {
        String message = switch (status) {
            case 414 -> "URI too long";
            case 431 -> "Request header fields too large";
            case 413 -> "Request entity too large";
            default ->
                // the text of an unexpected exception is the server's business (Jetty has logged it)
                reason == null || reason.isBlank() || (cause != null && status >= 500)
                        ? HttpStatus.getMessage(status)
                        : reason;
        };
        return Json.write(ApiException.error(status, message).body());
    }
}
