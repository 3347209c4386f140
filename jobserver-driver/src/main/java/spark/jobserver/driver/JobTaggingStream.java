package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.logging.log4j.ThreadContext;
import spark.jobserver.protocol.JobLogTags;

/**
 * {@code System.out} or {@code System.err} of a driver: each line a thread running a job starts gets the
 * job's tag first (the job is the thread's MDC value {@link JobLogTags#MDC_KEY}); other threads' bytes
 * pass as they are. Line starts are followed per thread, so two jobs printing at once tag their own lines.
 */
final class JobTaggingStream extends OutputStream {
    /** Told each whole line written (with its tag), without its line end: the lines a driver ships. */
    interface LineSink {
        void line(String line);
    }

    private final OutputStream out;
    private volatile LineSink tee;
    private final ThreadLocal<LineState> lines = ThreadLocal.withInitial(LineState::new);

    JobTaggingStream(OutputStream out) {
        this.out = requireNonNull(out, "out is null");
    }

    /** From now on, every whole line written is told to {@code sink} too. */
    void tee(LineSink sink) {
        this.tee = requireNonNull(sink, "sink is null");
    }

    private static final class LineState {
        boolean atStart = true;
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws IOException {
        String jobId = ThreadContext.get(JobLogTags.MDC_KEY);
        LineState state = lines.get();
        LineSink sink = tee;
        if (jobId == null && sink == null) {
            out.write(bytes, off, len);
            if (len > 0) {
                state.atStart = bytes[off + len - 1] == '\n';
            }
            return;
        }
        byte[] tag = jobId == null ? null : JobLogTags.prefix(jobId).getBytes(StandardCharsets.UTF_8);
        int from = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (state.atStart && tag != null) {
                emit(state, bytes, from, i - from);
                emit(state, tag, 0, tag.length);
                from = i;
            }
            state.atStart = bytes[i] == '\n';
            if (state.atStart) {
                emit(state, bytes, from, i + 1 - from);
                from = i + 1;
                lineEnded(state, sink);
            }
        }
        emit(state, bytes, from, end - from);
    }

    private void emit(LineState state, byte[] bytes, int off, int len) throws IOException {
        if (len <= 0) {
            return;
        }
        out.write(bytes, off, len);
        if (tee != null) {
            state.pending.write(bytes, off, len);
        }
    }

    private static void lineEnded(LineState state, LineSink sink) {
        if (sink == null) {
            return;
        }
        String line = state.pending.toString(StandardCharsets.UTF_8);
        state.pending.reset();
        int cut = line.length();
        while (cut > 0 && (line.charAt(cut - 1) == '\n' || line.charAt(cut - 1) == '\r')) {
            cut--;
        }
        sink.line(line.substring(0, cut));
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.flush(); // never closes the process's own stream
    }
}
