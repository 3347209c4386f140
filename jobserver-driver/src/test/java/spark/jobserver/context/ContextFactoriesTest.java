package spark.jobserver.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.streaming.StreamingContext;
import org.junit.jupiter.api.Test;
import spark.jobserver.SparkJob;
import spark.jobserver.SparkJobValidation;
import spark.jobserver.SparkSessionJob;
import spark.jobserver.SparkStreamingJob;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;
import spark.jobserver.api.OldSparkJob;
import spark.jobserver.context.SessionContextFactory.Hive;
import spark.jobserver.japi.JSessionJob;
import spark.jobserver.japi.JSparkJob;
import spark.jobserver.japi.JStreamingJob;

/** Which job styles each factory accepts, and how the session factory decides on Hive. */
class ContextFactoriesTest {

    static class Legacy implements SparkJob {
        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return null;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            return null;
        }
    }

    static class Typed implements OldSparkJob {
        @Override
        public JobValidation<Config> validate(SparkContext sc, JobEnvironment runtime, Config config) {
            return null;
        }

        @Override
        public Object runJob(SparkContext sc, JobEnvironment runtime, Config data) {
            return null;
        }
    }

    static class Java implements JSparkJob<String> {
        @Override
        public String run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
            return null;
        }

        @Override
        public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
            return config;
        }
    }

    static class Session implements SparkSessionJob<Config, Object> {
        @Override
        public JobValidation<Config> validate(SparkSession sc, JobEnvironment runtime, Config config) {
            return null;
        }

        @Override
        public Object runJob(SparkSession sc, JobEnvironment runtime, Config data) {
            return null;
        }
    }

    static class JavaSession extends JSessionJob<Object> {
        @Override
        public Object run(SparkSession sc, JobEnvironment runtime, Config data) {
            return null;
        }

        @Override
        public Config verify(SparkSession sc, JobEnvironment runtime, Config config) {
            return config;
        }
    }

    static class Streaming implements SparkStreamingJob {
        @Override
        public SparkJobValidation validate(StreamingContext ssc, Config config) {
            return null;
        }

        @Override
        public Object runJob(StreamingContext ssc, Config jobConfig) {
            return null;
        }
    }

    static class JavaStreaming implements JStreamingJob<Object> {
        @Override
        public Object run(StreamingContext sc, JobEnvironment runtime, Config data) {
            return null;
        }

        @Override
        public Config verify(StreamingContext sc, JobEnvironment runtime, Config config) {
            return config;
        }
    }

    private static final List<Object> ALL_STYLES = List.of(
            new Legacy(),
            new Typed(),
            new Java(),
            new Session(),
            new JavaSession(),
            new Streaming(),
            new JavaStreaming(),
            "not a job");

    private static List<String> accepted(Predicate<Object> isValidJob) {
        return ALL_STYLES.stream()
                .filter(isValidJob)
                .map(j -> j.getClass().getSimpleName())
                .toList();
    }

    @Test
    void eachFactoryAcceptsExactlyItsOwnStyles() {
        Map<String, List<String>> accepted = new LinkedHashMap<>();
        accepted.put("Default", accepted(new DefaultSparkContextFactory()::isValidJob));
        accepted.put("JavaSpark", accepted(new JavaSparkContextFactory()::isValidJob));
        accepted.put("Session", accepted(new SessionContextFactory()::isValidJob));
        accepted.put("JavaSession", accepted(new JavaSessionContextFactory()::isValidJob));
        accepted.put("Streaming", accepted(new StreamingContextFactory()::isValidJob));
        accepted.put("JavaStreaming", accepted(new JavaStreamingContextFactory()::isValidJob));

        assertThat(accepted)
                .containsExactly(
                        Map.entry("Default", List.of("Legacy", "Typed", "Java")),
                        Map.entry("JavaSpark", List.of("Legacy", "Typed", "Java")),
                        Map.entry("Session", List.of("Session")),
                        Map.entry("JavaSession", List.of("JavaSession")),
                        Map.entry("Streaming", List.of("Streaming")),
                        Map.entry("JavaStreaming", List.of("JavaStreaming")));
    }

    @Test
    void theReferenceNamesAreTheClassNames() {
        assertThat(List.of(
                        SessionContextFactory.class,
                        JavaSessionContextFactory.class,
                        StreamingContextFactory.class,
                        JavaStreamingContextFactory.class))
                .extracting(Class::getName)
                .containsExactly(
                        "spark.jobserver.context.SessionContextFactory",
                        "spark.jobserver.context.JavaSessionContextFactory",
                        "spark.jobserver.context.StreamingContextFactory",
                        "spark.jobserver.context.JavaStreamingContextFactory");
    }

    private static Config settings(String hocon) {
        return ConfigFactory.parseString(hocon);
    }

    @Test
    void hiveIsUsedWhenWantedAndPresent() {
        assertThat(SessionContextFactory.hive(settings(""), new SparkConf(false), true))
                .isEqualTo(Hive.ENABLED);
        assertThat(SessionContextFactory.hive(
                        settings("spark.session.hive.enabled = true"), new SparkConf(false), true))
                .isEqualTo(Hive.ENABLED);
        assertThat(SessionContextFactory.hive(
                        settings("spark.session.hive.enabled = false"), new SparkConf(false), true))
                .isEqualTo(Hive.OFF);
    }

    @Test
    void withoutHiveClassesTheDefaultFallsBackToAPlainSession() {
        // The bundled defaults say spark.session.hive.enabled = true: that is a wish, not a requirement.
        assertThat(SessionContextFactory.hive(
                        settings("spark.session.hive.enabled = true"), new SparkConf(false), false))
                .isEqualTo(Hive.FALLBACK);
        assertThat(SessionContextFactory.hive(settings(""), new SparkConf(false), false))
                .isEqualTo(Hive.FALLBACK);
        assertThat(SessionContextFactory.hive(
                        settings("spark.session.hive.enabled = \"false\""), new SparkConf(false), false))
                .isEqualTo(Hive.OFF);
    }

    @Test
    void hiveRequiredThroughTheCatalogSettingFailsClearlyWhenAbsent() {
        Config required = settings("spark.sql.catalogImplementation = hive");
        assertThatThrownBy(() -> SessionContextFactory.hive(required, new SparkConf(false), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(
                        "Hive support was requested (spark.sql.catalogImplementation = hive) but the Hive"
                                + " classes are not on the driver's class path");
        // SparkSubmit passes spark.* settings as Spark configuration: the same rule applies there.
        SparkConf conf = new SparkConf(false).set("spark.sql.catalogImplementation", "hive");
        assertThatThrownBy(() -> SessionContextFactory.hive(settings(""), conf, false))
                .isInstanceOf(IllegalStateException.class);
        assertThat(SessionContextFactory.hive(required, new SparkConf(false), true))
                .isEqualTo(Hive.ENABLED);
        assertThat(SessionContextFactory.hive(
                        settings("spark.sql.catalogImplementation = in-memory"), new SparkConf(false), false))
                .isEqualTo(Hive.FALLBACK);
    }

    @Test
    void theDriversClassPathHasNoHive() {
        // What the fallback above is for: the bundled driver runtime leaves spark-hive out.
        assertThat(SessionContextFactory.hiveClassesPresent()).isFalse();
    }
}
