package spark.jobserver.server.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.contexts.ContextEvents;
import spark.jobserver.server.contexts.ContextInfo;

/**
 * Writes the lines a driver ships (a driver whose own log is on a cluster node) to
 * {@value LogService#SHIPPED_LOG} in the context's directory, where the log routes read them; a marker
 * line says how many lines the driver had to drop. On the context's event thread, so in order.
 */
public final class ShippedLogs implements ContextEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ShippedLogs.class);

    @Override
    public void driverLog(ContextInfo context, Message.DriverLog log) {
        if (context.logPath() == null) {
            LOG.debug("Context {} shipped log lines before it had a directory; dropped", context.id());
            return;
        }
        Path file = Path.of(context.logPath()).resolveSibling(LogService.SHIPPED_LOG);
        StringBuilder text = new StringBuilder();
        if (log.dropped() > 0) {
            text.append(droppedMarker(log.dropped())).append('\n');
        }
        for (String line : log.lines()) {
            text.append(line).append('\n');
        }
        try (OutputStream out = Files.newOutputStream(
                file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("Cannot write the shipped log of context {} to {}: {}", context.name(), file, e.toString());
        }
    }

    static String droppedMarker(long dropped) {
        return "[jobserver] " + dropped + " line(s) of the driver's log were dropped here: its buffer was full";
    }
}
