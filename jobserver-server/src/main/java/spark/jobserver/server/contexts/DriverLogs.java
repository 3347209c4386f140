package spark.jobserver.server.contexts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import spark.jobserver.protocol.ErrorInfo;

/** Reading what a driver wrote to its log, to say why it died. */
final class DriverLogs {
    private static final int TAIL_BYTES = 64 * 1024;
    private static final int TAIL_LINES = 40;

    private DriverLogs() {}

    /** {@code error} with the last lines of the driver's log as its stack (and the log's path in its message). */
    static ErrorInfo withLogTail(ErrorInfo error, ContextInfo context) {
        String logPath = context.logPath();
        if (logPath == null) {
            return error;
        }
        try {
            List<String> lines = tailLines(Path.of(logPath), TAIL_BYTES);
            List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
            return new ErrorInfo(
                    error.message() + " (driver log: " + logPath + ")",
                    error.errorClass(),
                    "Last lines of the driver log:\n" + String.join("\n", tail));
        } catch (IOException | RuntimeException e) {
            return error;
        }
    }

    /** The lines of the last {@code maxBytes} of a file; never reads a long-lived driver's whole log. */
    static List<String> tailLines(Path file, int maxBytes) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long start = Math.max(0, channel.size() - maxBytes);
            ByteBuffer buffer = ByteBuffer.allocate((int) (channel.size() - start));
            channel.position(start);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read to the end
            }
            // lenient decoding: a driver may log bytes that are not UTF-8
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\\R")));
            if (start > 0 && !lines.isEmpty()) {
                lines.remove(0); // a partial first line
            }
            return lines;
        }
    }
}
