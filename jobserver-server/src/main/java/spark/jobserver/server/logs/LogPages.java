package spark.jobserver.server.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import spark.jobserver.protocol.JobLogTags;

/**
 * Pages of a driver log file, by byte offset. A page holds whole lines when it can (it ends after the
 * last line end it read; a line longer than a page is cut); the offset of the next page follows it, so
 * that pages join to the file and a follower reads on from where it stopped. The file only grows.
 */
final class LogPages {
    /** How far back the owner of a continued entry is looked for, when a job's page starts mid-entry. */
    static final int LOOK_BACK = 64 * 1024;

    private LogPages() {}

    /**
     * One page.
     *
     * @param bytes the page's bytes (lines with their line ends)
     * @param next where the next page starts
     * @param size the file's size when it was read
     */
    record Page(byte[] bytes, long next, long size) {}

    /** Up to {@code limit} bytes of {@code file} from {@code offset}. */
    static Page read(Path file, long offset, int limit) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (offset >= size) {
                return new Page(new byte[0], offset, size);
            }
            byte[] bytes = readAt(channel, offset, (int) Math.min(limit, size - offset));
            int end = wholeLines(bytes, bytes.length);
            byte[] page = end == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, end);
            return new Page(page, offset + end, size);
        }
    }

    /** Exactly the bytes {@code from} to {@code to} (inclusive, as in a Range header), within the file. */
    static Page range(Path file, long from, long to) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long last = Math.min(to, size - 1);
            byte[] bytes = from > last ? new byte[0] : readAt(channel, from, (int) (last - from + 1));
            return new Page(bytes, from + bytes.length, size);
        }
    }

    /**
     * The lines of one job among up to {@code scan} bytes of {@code file} from {@code offset}, at most
     * {@code limit} bytes of them, but always at least one whole line (so a page can be longer than
     * {@code limit}). {@code next} says where the scan stopped: a page may be empty although more of the
     * job's lines follow.
     */
    static Page job(Path file, String jobId, long offset, int limit, int scan) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (offset >= size) {
                return new Page(new byte[0], offset, size);
            }
            String owner = ownerBefore(channel, offset);
            byte[] bytes = readAt(channel, offset, (int) Math.min(scan, size - offset));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int start = 0;
            int scanned = 0;
            while (start < bytes.length) {
                int end = lineEnd(bytes, start);
                if (end < 0) {
                    if (start > 0 || bytes.length < scan) {
                        break; // a line still being written, or one that the next scan reads whole
                    }
                    end = bytes.length; // a line longer than a whole scan: judged by its beginning
                }
                String line = text(bytes, start, end);
                owner = JobLogTags.owner(line, owner);
                if (jobId.equals(owner)) {
                    if (out.size() > 0 && out.size() + (end - start) > limit) {
                        break;
                    }
                    out.write(bytes, start, end - start); // whole lines: a page always holds one
                }
                start = end;
                scanned = end;
            }
            return new Page(out.toByteArray(), offset + scanned, size);
        }
    }

    /** The job of the entry that the line before {@code offset} belongs to (null for none). */
    static String ownerBefore(FileChannel channel, long offset) throws IOException {
        if (offset == 0) {
            return null;
        }
        long from = Math.max(0, offset - LOOK_BACK);
        byte[] bytes = readAt(channel, from, (int) (offset - from));
        int start = 0;
        if (from > 0) {
            int first = lineEnd(bytes, 0);
            start = first < 0 ? bytes.length : first; // a partial first line
        }
        String owner = null;
        while (start < bytes.length) {
            int end = lineEnd(bytes, start);
            if (end < 0) {
                end = bytes.length;
            }
            owner = JobLogTags.owner(text(bytes, start, end), owner);
            start = end;
        }
        return owner;
    }

    /** Where the page of {@code length} bytes ends: after its last line end, or at its end if it has none. */
    private static int wholeLines(byte[] bytes, int length) {
        for (int i = length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i + 1;
            }
        }
        return length;
    }

    /** The index after the line end of the line starting at {@code start}; -1 when the line has no end yet. */
    private static int lineEnd(byte[] bytes, int start) {
        for (int i = start; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The line without its line end; lenient: a driver may log bytes that are not UTF-8. */
    private static String text(byte[] bytes, int start, int end) {
        int stop = end;
        while (stop > start && (bytes[stop - 1] == '\n' || bytes[stop - 1] == '\r')) {
            stop--;
        }
        return new String(bytes, start, stop - start, StandardCharsets.UTF_8);
    }

    private static byte[] readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
        return buffer.position() == length
                ? buffer.array()
                : java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }
}
