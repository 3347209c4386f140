package spark.jobserver;

import java.io.File;
import java.io.IOException;

/**
 * Access to files uploaded with {@code POST /data}. The {@link spark.jobserver.api.JobEnvironment}
 * handed to jobs implements it.
 */
public interface DataFileCache {

    /**
     * A local file with the content of the uploaded file {@code path} (as returned by
     * {@code POST /data/<prefix>}): the file itself when it exists on the driver's host, otherwise a
     * local copy fetched from the server.
     */
    File getDataFile(String path) throws IOException;
}
