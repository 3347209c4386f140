package spark.jobserver.protocol;

import static java.util.Objects.requireNonNull;

/**
 * A binary a job needs: either an uploaded binary the driver fetches from the server by hash, or a URI
 * the driver reads itself.
 *
 * @param name the binary's app name, or the URI as given
 * @param sha256 content hash of an uploaded binary; null for a URI
 * @param uri the location of a non-uploaded dependency; null for an uploaded binary
 */
public record BinaryRef(String name, String sha256, String uri) {
    public BinaryRef {
        requireNonNull(name, "name is null");
        if ((sha256 == null) == (uri == null)) {
            throw new IllegalArgumentException("exactly one of sha256 and uri must be set");
        }
    }

    public static BinaryRef uploaded(String name, String sha256) {
        return new BinaryRef(name, sha256, null);
    }

    public static BinaryRef uri(String uri) {
        return new BinaryRef(uri, null, uri);
    }
}
