package spark.jobserver.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * A binary a job needs: either an uploaded binary the driver fetches from the server by hash, or a URI
 * the driver reads itself.
 *
 * @param name the binary's app name, or the URI as given
 * @param sha256 content hash of an uploaded binary; null for a URI
 * @param uri the location of a non-uploaded dependency; null for an uploaded binary
 * @param kind what the binary is: a jar for the JVM, or a Python egg or wheel; for a URI, its file name's
 *     extension says ({@link Kind#ofFileName}); null is read as {@link Kind#JAR}
 */
public record BinaryRef(String name, String sha256, String uri, Kind kind) {
    /** What a binary holds, and so who runs it. */
    public enum Kind {
        JAR(".jar"),
        EGG(".egg"),
        WHEEL(".whl");

        private final String extension;

        Kind(String extension) {
            this.extension = extension;
        }

        /** The file name extension of this kind, dot included. */
        public String extension() {
            return extension;
        }

        /** Whether Python runs binaries of this kind. */
        public boolean isPython() {
            return this != JAR;
        }

        /** The kind a file name's extension says: {@code .egg} or {@code .whl} for Python, anything else a jar. */
        public static Kind ofFileName(String fileName) {
            String lower = fileName.toLowerCase(Locale.ROOT);
            int query = lower.indexOf('?');
            String path = query < 0 ? lower : lower.substring(0, query);
            for (Kind kind : values()) {
                if (path.endsWith(kind.extension)) {
                    return kind;
                }
            }
            return JAR;
        }
    }

    public BinaryRef {
        requireNonNull(name, "name is null");
        if ((sha256 == null) == (uri == null)) {
            throw new IllegalArgumentException("exactly one of sha256 and uri must be set");
        }
        if (kind == null) {
            kind = uri != null ? Kind.ofFileName(uri) : Kind.JAR;
        }
    }

    /** A binary whose kind is a jar, or for a URI the one its extension says. */
    public BinaryRef(String name, String sha256, String uri) {
        this(name, sha256, uri, null);
    }

    /** An uploaded jar. */
    public static BinaryRef uploaded(String name, String sha256) {
        return new BinaryRef(name, sha256, null, Kind.JAR);
    }

    /** An uploaded binary of the given kind. */
    public static BinaryRef uploaded(String name, String sha256, Kind kind) {
        return new BinaryRef(name, sha256, null, requireNonNull(kind, "kind is null"));
    }

    public static BinaryRef uri(String uri) {
        return new BinaryRef(uri, null, uri, null);
    }
}
