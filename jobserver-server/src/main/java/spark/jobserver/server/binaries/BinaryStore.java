package spark.jobserver.server.binaries;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where binaries and their bytes are kept. */
public interface BinaryStore {

    /** Records a new version of {@code info.appName()}, storing {@code content} unless a binary with the same hash exists. */
    void save(BinaryInfo info, Path content);

    /** The versions recorded, without their bytes. */
    BinaryVersions versions();

    /** The newest version of the app. */
    default Optional<BinaryInfo> latest(String appName) {
        return versions().latest(appName);
    }

    /** The newest version of every app. */
    default List<BinaryInfo> latestOfEach() {
        return versions().latestOfEach();
    }

    /** Removes every version of the app; returns how many there were. */
    int deleteAll(String appName);

    /** The bytes with this hash, if stored. The caller closes the stream. */
    Optional<InputStream> content(String sha256);
}
