package spark.jobserver.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The client's one JSON mapper: lenient about fields a newer server adds. */
final class Json {
    static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {}

    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + abbreviate(text), e);
        }
    }

    /** The body as JSON, or as a text node when it is not JSON (a proxy's HTML error page). */
    static JsonNode parseLenient(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node == null ? TextNode.valueOf(text) : node;
        } catch (IOException e) {
            return TextNode.valueOf(text);
        }
    }

    static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Unexpected JSON for " + type.getSimpleName() + ": " + abbreviate(node.toString()), e);
        }
    }

    static ErrorInfo errorInfo(JsonNode result) {
        if (result == null || result.isNull() || result.isMissingNode()) {
            return new ErrorInfo(null, null, null);
        }
        if (result.isTextual()) {
            return new ErrorInfo(result.asText(), null, null);
        }
        return convert(result, ErrorInfo.class);
    }

    static String abbreviate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "…";
    }
}
