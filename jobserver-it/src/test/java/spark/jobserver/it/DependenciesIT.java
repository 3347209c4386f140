package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classes from more than the job's jar: a context whose factory comes from an uploaded jar named in its
 * {@code dependent-jar-uris} (one real driver JVM, shared by the class), jobs whose classes come from
 * the context's jars, and a job-level {@code dependent-jar-uris}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DependenciesIT {
    private static final String CTX = "tagged";
    private static TestingJobServer server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        server = TestingJobServer.start();
        server.uploadExamples("test");
        // A custom factory and a job written as for the original project, in Scala (the factory's logger and
        // SparkJobUtils.getHadoopConfig are the original's).
        Path factories = TestJars.buildScala(dir, "factories", Map.of("custom/TaggedContextFactory", """
                package custom

                import com.typesafe.config.Config
                import org.apache.spark.{SparkConf, SparkContext}
                import spark.jobserver._
                import spark.jobserver.context.ScalaContextFactory
                import spark.jobserver.util.SparkJobUtils

                class TaggedContextFactory extends ScalaContextFactory {
                  type C = SparkContext with ContextLike

                  def makeContext(sparkConf: SparkConf, config: Config, contextName: String): C = {
                    logger.info("Making context " + contextName)
                    val sc = new SparkContext(sparkConf.set("spark.custom.tag", "made by " + getClass.getName))
                      with ContextLike {
                        def sparkContext: SparkContext = this
                      }
                    for ((k, v) <- SparkJobUtils.getHadoopConfig(config)) sc.hadoopConfiguration.set(k, v)
                    sc
                  }

                  def isValidJob(job: api.SparkJobBase): Boolean = job.isInstanceOf[SparkJob]
                }

                object TagJob extends SparkJob {
                  def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid
                  def runJob(sc: SparkContext, config: Config): Any =
                    sc.getConf.get("spark.custom.tag") + ", " + sc.hadoopConfiguration.get("custom.tag")
                }
                """));
        Path deps = TestJars.build(dir, "empty-class", Map.of("EmptyClass", "public class EmptyClass {}"));
        upload("factories", factories);
        upload("deps", deps);
        server.createContext(
                CTX,
                "context-factory=custom.TaggedContextFactory&dependent-jar-uris=factories&hadoop.custom.tag=hadoop");
    }

    private static void upload(String name, Path jar) throws IOException {
        var reply = server.post("/binaries/" + name, Files.readAllBytes(jar), "application/java-archive");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestingJobServer.Reply sync(String appName, String classPath, String config) {
        return server.post(
                "/jobs?appName=" + appName + "&classPath=" + classPath + "&context=" + CTX + "&sync=true&timeout=60",
                config);
    }

    @Test
    @Order(1)
    void theContextWasMadeByTheFactoryFromTheUploadedJarAndItsClassesReachJobs() {
        // custom.TagJob is not in the examples jar: it comes from the context's own jar.
        var tag = sync("test", "custom.TagJob", "");
        assertThat(tag.status()).as(tag.toString()).isEqualTo(200);
        assertThat(tag.json().get("result").asText()).isEqualTo("made by custom.TaggedContextFactory, hadoop");
        // Jobs of the styles the factory accepts run; others are refused.
        assertThat(sync("test", "spark.jobserver.VeryShortDoubleJob", "")
                        .json()
                        .get("result")
                        .toString())
                .isEqualTo("[2,4,6]");
        var refused = sync("test", "spark.jobserver.JavaHelloWorldJob", "");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("result").asText()).isEqualTo("Invalid job type for this context");
    }

    @Test
    @Order(2)
    void aJobsOwnDependentJarsAreLoadedForItOnTheDriverAndTheExecutors() {
        var missing = sync("test", "spark.jobserver.jobJarDependenciesJob", "");
        assertThat(missing.status()).as(missing.toString()).isEqualTo(200);
        assertThat(missing.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(missing.json().get("result").get("errorClass").asText())
                .isEqualTo("java.lang.ClassNotFoundException");
        assertThat(missing.json().get("result").get("message").asText()).isEqualTo("EmptyClass");

        var found = sync("test", "spark.jobserver.jobJarDependenciesJob", "dependent-jar-uris = [deps]");
        assertThat(found.status()).as(found.toString()).isEqualTo(200);
        assertThat(found.json().get("result").toString()).isEqualTo("{\"EmptyClass\":3}");
    }

    @Test
    @Order(3)
    void aContextWhoseJarCannotBeHadFailsToStartNamingIt() {
        Path absent = dir.resolve("absent.jar");
        var failed = server.post("/contexts/broken?dependent-jar-uris=file:" + absent, "");
        assertThat(failed.status()).as(failed.toString()).isEqualTo(500);
        assertThat(failed.json().get("status").asText()).isEqualTo("CONTEXT INIT ERROR");
        assertThat(failed.json().get("result").get("message").asText())
                .isEqualTo("Failed to load binary 'file:" + absent + "' of the context: no file at " + absent);
    }
}
