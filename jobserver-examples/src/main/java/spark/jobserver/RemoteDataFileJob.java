package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;
import spark.jobserver.api.OldSparkJob;

/**
 * Returns the local path of the file uploaded with {@code POST /data/<prefix>} whose server path is
 * {@code testFile}: the file itself when the driver runs on the server's host, otherwise a copy
 * fetched from the server. Without {@code testFile} the job ends in {@code ERROR}. Typed style.
 */
public final class RemoteDataFileJob implements OldSparkJob {

    @Override
    public JobValidation<Config> validate(SparkContext sc, JobEnvironment runtime, Config config) {
        return JobValidation.good(config);
    }

    @Override
    public Object runJob(SparkContext sc, JobEnvironment runtime, Config data) throws Exception {
        return ((DataFileCache) runtime).getDataFile(data.getString("testFile")).getAbsolutePath();
    }
}
