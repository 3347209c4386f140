package spark.jobserver.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import spark.jobserver.JavaSparkJob;
import spark.jobserver.SparkJob;
import spark.jobserver.SparkJobValidation;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;
import spark.jobserver.api.OldSparkJob;
import spark.jobserver.api.SparkJobBase;
import spark.jobserver.japi.BaseJavaJob;
import spark.jobserver.japi.JSparkJob;

class DefaultSparkContextFactoryTest {

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

    static class LegacyJava extends JavaSparkJob {
        @Override
        public Object runJob(JavaSparkContext jsc, Config jobConfig) {
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

    /** A typed job for some other kind of context. */
    static class OnAString implements SparkJobBase<String, Config, Object> {
        @Override
        public JobValidation<Config> validate(String sc, JobEnvironment runtime, Config config) {
            return null;
        }

        @Override
        public Object runJob(String sc, JobEnvironment runtime, Config data) {
            return null;
        }
    }

    /** A Java job for some other kind of context. */
    static class JavaOnAString implements BaseJavaJob<Object, String> {
        @Override
        public Object run(String sc, JobEnvironment runtime, Config data) {
            return null;
        }

        @Override
        public Config verify(String sc, JobEnvironment runtime, Config config) {
            return config;
        }
    }

    @Test
    void theDefaultFactoryRunsLegacyTypedAndJavaJobs() {
        DefaultSparkContextFactory factory = new DefaultSparkContextFactory();
        assertThat(factory.isValidJob(new Legacy())).isTrue();
        assertThat(factory.isValidJob(new LegacyJava())).isTrue();
        assertThat(factory.isValidJob(new Typed())).isTrue();
        assertThat(factory.isValidJob(new Java())).isTrue();
        assertThat(factory.isValidJob(new OnAString())).isFalse();
        assertThat(factory.isValidJob(new JavaOnAString())).isFalse();
        assertThat(factory.isValidJob("not a job")).isFalse();
    }

    @Test
    void theJavaFactoryAcceptsTheSameJobs() {
        JavaSparkContextFactory factory = new JavaSparkContextFactory();
        assertThat(factory).isInstanceOf(SparkContextFactory.class);
        for (Object job : new Object[] {new Legacy(), new LegacyJava(), new Typed(), new Java()}) {
            assertThat(factory.isValidJob(job))
                    .as(job.getClass().getSimpleName())
                    .isTrue();
        }
        assertThat(factory.isValidJob(new OnAString())).isFalse();
    }

    @Test
    void hadoopSettingsAreCopiedWithTheirFullKeys() {
        Config settings = ConfigFactory.parseString("""
                hadoop {
                  mapreduce.framework.name = local
                  "fs.s3a.endpoint" = "http://s3.local"
                  dfs.replication = 2
                }
                """);
        Configuration hadoop = new Configuration(false);
        DefaultSparkContextFactory.copyHadoopSettings(settings, hadoop);
        assertThat(hadoop.get("mapreduce.framework.name")).isEqualTo("local");
        assertThat(hadoop.get("fs.s3a.endpoint")).isEqualTo("http://s3.local");
        assertThat(hadoop.get("dfs.replication")).isEqualTo("2");
    }

    @Test
    void noHadoopSectionChangesNothingAndAWrongOneIsExplained() {
        Configuration hadoop = new Configuration(false);
        DefaultSparkContextFactory.copyHadoopSettings(ConfigFactory.empty(), hadoop);
        assertThat(hadoop.size()).isZero();
        assertThatThrownBy(() -> DefaultSparkContextFactory.copyHadoopSettings(
                        ConfigFactory.parseString("hadoop = yes"), hadoop))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'hadoop' must be an object");
    }
}
