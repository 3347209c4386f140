package spark.jobserver.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before any route (URI or headers too long: 414/431, malformed requests:
 * 400), as the reference's JSON envelope instead of an HTML page; never a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
        return ByteBuffer.wrap(body(status, reason).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, body(code, message), callback);
    }

    private static String body(int status, String reason) {
        String message = switch (status) {
            case 414 -> "URI too long";
            case 431 -> "Request header fields too large";
            case 413 -> "Request entity too large";
            default -> reason == null || reason.isBlank() ? "Bad request" : reason;
        };
        return Json.write(ApiException.error(status, message).body());
    }
}
