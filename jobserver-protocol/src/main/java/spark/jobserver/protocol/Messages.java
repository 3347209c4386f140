package spark.jobserver.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/** The JSON form of {@link Message}s. */
public final class Messages {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Messages() {}

    /** The JSON text of {@code message}. */
    public static String toJson(Message message) {
        try {
            return MAPPER.writerFor(Message.class).writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses a frame.
     *
     * @throws IllegalArgumentException when the text is not a known message
     */
    public static Message fromJson(String json) {
        try {
            return MAPPER.readValue(json, Message.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a protocol message: " + e.getOriginalMessage(), e);
        }
    }
}
