package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.io.File;
import java.io.IOException;
import spark.jobserver.NamedObjects;
import spark.jobserver.api.DataFileCache;
import spark.jobserver.api.JobEnvironment;

/** What a job learns about where it runs; also its way to the files uploaded with {@code POST /data}. */
final class DriverJobEnvironment implements JobEnvironment, DataFileCache {
    private final String jobId;
    private final NamedObjects namedObjects;
    private final Config contextConfig;
    private final DataFileCache dataFiles;

    DriverJobEnvironment(String jobId, NamedObjects namedObjects, Config contextConfig, DataFileCache dataFiles) {
        this.jobId = requireNonNull(jobId, "jobId is null");
        this.namedObjects = requireNonNull(namedObjects, "namedObjects is null");
        this.contextConfig = requireNonNull(contextConfig, "contextConfig is null");
        this.dataFiles = requireNonNull(dataFiles, "dataFiles is null");
    }

    @Override
    public String jobId() {
        return jobId;
    }

    @Override
    public NamedObjects namedObjects() {
        return namedObjects;
    }

    @Override
    public Config contextConfig() {
        return contextConfig;
    }

    @Override
    public File getDataFile(String path) throws IOException {
        return dataFiles.getDataFile(path);
    }

    @Override
    public String toString() {
        return "JobEnvironment[" + jobId + "]";
    }
}
