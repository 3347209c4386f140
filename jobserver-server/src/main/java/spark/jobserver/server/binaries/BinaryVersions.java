package spark.jobserver.server.binaries;

import java.util.List;
import java.util.Optional;

/** The uploaded versions of binaries (app name, type, upload time, hash and size), without their bytes. */
public interface BinaryVersions {

    /** Records a version; its bytes are stored already. */
    void add(BinaryInfo info);

    /** The newest version of the app. */
    Optional<BinaryInfo> latest(String appName);

    /** The newest version of every app, by app name. */
    List<BinaryInfo> latestOfEach();

    /** Removes every version of the app; returns the versions removed. */
    List<BinaryInfo> deleteAll(String appName);

    /** Whether any version of any app has these bytes. */
    boolean uses(String sha256);
}
