package spark.jobserver.driver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;
import spark.jobserver.protocol.JobLogTags;
import spark.jobserver.protocol.Message;

/**
 * Ships a driver's log to the server, for a driver whose log file is not on the server's host (cluster
 * deploy mode, or {@value JobLogTags#SHIP_SETTING}): log4j2 events (through an appender on the root
 * logger, in the driver's layout with the job tag) and the lines printed to {@code System.out} and
 * {@code System.err} go to a bounded buffer; {@link #flush} sends them in batches. When the buffer is full
 * the oldest lines are dropped and counted, so the server can say where lines are missing.
 */
final class LogShipper implements JobTaggingStream.LineSink {
    /** Lines kept while the server is away or slow; the oldest go first. */
    static final int CAPACITY = 10_000;
    /** At most this many lines, and about this many characters, go in one message. */
    static final int BATCH_LINES = 1_000;

    static final int BATCH_CHARS = 256 * 1024;

    private static final String APPENDER = "jobserver-ship";
    private static final String PATTERN = JobLogTags.LOG4J_PATTERN + "%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex";

    private final int capacity;
    private final Deque<String> lines = new ArrayDeque<>(); // guarded by this
    private long dropped; // guarded by this

    LogShipper(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized void line(String line) {
        if (lines.size() >= capacity) {
            lines.removeFirst();
            dropped++;
        }
        lines.addLast(line);
    }

    /** Every log4j2 event of the driver, from now on, goes to this buffer too (once per configuration). */
    synchronized void attachToLog4j() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        if (config.getAppender(APPENDER) != null) {
            return;
        }
        PatternLayout layout = PatternLayout.newBuilder()
                .withConfiguration(config)
                .withPattern(PATTERN)
                .build();
        AbstractAppender appender = new AbstractAppender(APPENDER, null, layout, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                for (String l : layout.toSerializable(event).split("\\R")) {
                    line(l);
                }
            }
        };
        appender.start();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
    }

    /**
     * Sends what the buffer holds, in batches, through {@code send}; a batch that cannot be sent is kept.
     *
     * @param send sends one message; returns false when it could not (not connected)
     */
    void flush(java.util.function.Predicate<Message.DriverLog> send) {
        while (true) {
            Message.DriverLog batch = takeBatch();
            if (batch == null) {
                return;
            }
            if (!send.test(batch)) {
                putBack(batch);
                return;
            }
        }
    }

    private synchronized Message.DriverLog takeBatch() {
        if (lines.isEmpty() && dropped == 0) {
            return null;
        }
        List<String> batch = new ArrayList<>();
        int chars = 0;
        while (!lines.isEmpty() && batch.size() < BATCH_LINES && (batch.isEmpty() || chars < BATCH_CHARS)) {
            String l = lines.removeFirst();
            if (l.length() > BATCH_CHARS) {
                l = l.substring(0, BATCH_CHARS) + " [cut]";
            }
            batch.add(l);
            chars += l.length();
        }
        Message.DriverLog log = new Message.DriverLog(batch, dropped);
        dropped = 0;
        return log;
    }

    private synchronized void putBack(Message.DriverLog batch) {
        List<String> back = batch.lines();
        for (int i = back.size() - 1; i >= 0; i--) {
            lines.addFirst(back.get(i));
        }
        dropped += batch.dropped();
        while (lines.size() > capacity) {
            lines.removeFirst();
            dropped++;
        }
    }

    /** For tests: the lines waiting. */
    synchronized List<String> waiting() {
        return List.copyOf(lines);
    }
}
