package spark.jobserver.python;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.ContextLike;
import spark.jobserver.context.DefaultSparkContextFactory;
import spark.jobserver.context.SessionContextFactory;
import spark.jobserver.context.SparkSessionContextLikeWrapper;

/** How the Python factories make their contexts: the Spark context first, then its Python process. */
final class PythonContexts {
    private PythonContexts() {}

    /**
     * @throws PythonUnavailableException when Python cannot be started, naming what is missing; the Spark
     *     context is stopped again
     */
    static PythonContext make(PythonContextKind kind, SparkConf sparkConf, Config settings, String contextName) {
        PythonSettings python = PythonSettings.from(settings, System.getenv());
        // As the original: Spark on YARN then ships PySpark's archives to the executors. It looks for them
        // in PYSPARK_ARCHIVES_PATH or SPARK_HOME/python/lib, and refuses to start when neither has them.
        if (pysparkArchivesFound(System.getenv())) {
            sparkConf.set("spark.yarn.isPython", "true");
        }
        // Executors' Python workers find pyspark, and the context's own paths, where the interpreter does.
        sparkConf.setIfMissing("spark.executorEnv.PYTHONPATH", python.pythonPath());
        PythonProcess process = new PythonProcess(
                python, kind, settings.root().render(ConfigRenderOptions.concise()), contextName, System.getenv());
        // The interpreter starts and imports pyspark while the Spark context is made.
        process.begin();
        ContextLike spark;
        try {
            spark = kind == PythonContextKind.SESSION
                    ? new SessionContextFactory().makeContext(sparkConf, settings, contextName)
                    : (ContextLike) new DefaultSparkContextFactory().makeContext(sparkConf, settings, contextName);
        } catch (RuntimeException | Error e) {
            process.close();
            throw e;
        }
        try {
            process.attach(
                    JavaSparkContext.fromSparkContext(spark.sparkContext()),
                    spark instanceof SparkSessionContextLikeWrapper wrapper ? wrapper.spark() : null);
            process.awaitReady();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.close();
            spark.stop();
            throw new PythonUnavailableException("interrupted while the Python process started", e);
        } catch (RuntimeException e) {
            process.close();
            spark.stop();
            throw e;
        }
        return new PythonContext(spark, process);
    }

    private static boolean pysparkArchivesFound(Map<String, String> env) {
        String archives = env.get("PYSPARK_ARCHIVES_PATH");
        if (archives != null && !archives.isBlank()) {
            return true;
        }
        String home = env.get("SPARK_HOME");
        return home != null && !home.isBlank() && Files.isRegularFile(Path.of(home, "python", "lib", "pyspark.zip"));
    }
}
