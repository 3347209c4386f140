package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.protocol.DriverLaunch;

/**
 * Jobs written for the original project, in Scala, compiled at test time against the job API as a job
 * author's build would compile them (nothing in them is specific to this server), uploaded and run over
 * HTTP in one real driver JVM shared by the class: objects and classes, type members, scalactic
 * validation, the legacy API with {@code SparkJobValid}, {@code &&} and {@code NamedRddSupport} with an
 * implicit timeout, named objects with implicit persisters, results of Scala types, and a {@code main}
 * that runs a job with an anonymous {@code JobEnvironment}; and Java jobs of the original's two Java
 * styles ({@code JavaSparkJob}, {@code japi.JSparkJob}), compiled with javac.
 */
class OriginalStyleJobsIT {
    private static final String CTX = "original-style";

    /** Our own code, written in the original's style and with its imports. */
    private static final String JOBS = """
            package original

            import scala.concurrent.duration._
            import scala.util.Try

            import com.typesafe.config.{Config, ConfigFactory}
            import org.apache.spark.{SparkConf, SparkContext}
            import org.apache.spark.rdd.RDD
            import org.scalactic._
            import org.scalactic.Accumulation._
            import spark.jobserver._
            import spark.jobserver.api.{JobEnvironment, OldSparkJob, SingleProblem, ValidationProblem, SparkJob => NewSparkJob}

            /** New API, a Scala object: the words of input.string and how often each occurs. */
            object WordFrequencies extends NewSparkJob {
              type JobData = Seq[String]
              type JobOutput = collection.Map[String, Long]

              def runJob(sc: SparkContext, runtime: JobEnvironment, data: JobData): JobOutput =
                sc.parallelize(data).countByValue()

              def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
                Try(config.getString("input.string").split(" ").toSeq)
                  .map(words => Good(words))
                  .getOrElse(Bad(One(SingleProblem("No input.string param"))))

              /** Runs the job on a local Spark, without a server. */
              def main(args: Array[String]): Unit = {
                val sc = new SparkContext(new SparkConf().setMaster("local[1]").setAppName("WordFrequencies")
                  .set("spark.ui.enabled", "false"))
                val env = new JobEnvironment {
                  def jobId: String = "main"
                  def namedObjects: NamedObjects = null
                  def contextConfig: Config = ConfigFactory.empty
                }
                val config = ConfigFactory.parseString("input.string = " + args.mkString(" "))
                val result = validate(sc, env, config) match {
                  case Good(words)   => runJob(sc, env, words).toSeq.sortBy(_._1).mkString(",")
                  case Bad(problems) => "invalid: " + problems
                }
                println("Result: " + result)
                sc.stop()
              }
            }

            /** New API: both problems at once. */
            object TwoKeys extends NewSparkJob {
              type JobData = (Int, Int)
              type JobOutput = Int

              def runJob(sc: SparkContext, runtime: JobEnvironment, data: JobData): JobOutput = data._1 + data._2

              def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] = {
                def number(key: String): Int Or One[ValidationProblem] =
                  Try(config.getInt(key)).map(Good(_)).getOrElse(Bad(One(SingleProblem("No " + key + " param"))))
                withGood(number("a"), number("b")) { (a, b) => (a, b) }
              }
            }

            /** Legacy API, a class: the sum of the squares of 1..n, kept as a named RDD for the next jobs. */
            class CachedSquares extends SparkJob with NamedRddSupport {
              implicit val timeout: FiniteDuration = 30.seconds

              def validate(sc: SparkContext, config: Config): SparkJobValidation =
                (if (config.hasPath("n")) SparkJobValid else SparkJobInvalid("No n config param")) &&
                  (if (namedObjects != null) SparkJobValid else SparkJobInvalid("no named objects"))

              def runJob(sc: SparkContext, config: Config): Any = {
                val squares: RDD[Int] =
                  namedRdds.getOrElseCreate("squares", sc.parallelize(1 to config.getInt("n")).map(x => x * x))
                Map("sum" -> squares.sum().toLong, "names" -> namedRdds.getNames().toSeq.sorted,
                  "cached" -> namedRdds.get[Int]("squares").map(_.name))
              }
            }

            /** New API with named objects and an implicit persister: a broadcast shared by jobs. */
            object Primes extends NewSparkJob {
              type JobData = Int
              type JobOutput = Long
              implicit val persister: NamedObjectPersister[NamedBroadcast[Set[Int]]] = new BroadcastPersister[Set[Int]]

              def runJob(sc: SparkContext, runtime: JobEnvironment, upTo: Int): Long = {
                val NamedBroadcast(primes) =
                  runtime.namedObjects.getOrElseCreate("primes", NamedBroadcast(sc.broadcast(Set(2, 3, 5, 7, 11, 13))))
                sc.parallelize(1 to upTo).filter(primes.value.contains).count()
              }

              def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): Int Or Every[ValidationProblem] =
                Good(Try(config.getInt("up-to")).getOrElse(10))
            }

            case class Point(x: Int, y: Int)

            /** Results of Scala types. */
            object ScalaValues extends OldSparkJob {
              def runJob(sc: SparkContext, runtime: JobEnvironment, data: Config): Any = Map(
                "seq" -> Seq(1, 2), "list" -> List("a"), "some" -> Some("x"), "none" -> None, "pair" -> ("a", 1),
                "point" -> Point(1, 2), "array" -> Array(2, 4, 6), "nested" -> Map("k" -> Vector(1.5)),
                "unit" -> (), "big" -> BigDecimal("1.5"))

              def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
                Good(config)
            }
            """;

    /** Java jobs as the original's Java authors wrote them: no {@code throws} clauses. */
    private static final Map<String, String> JAVA_JOBS = Map.of(
            "originaljava.Greeting", """
            package originaljava;

            import com.typesafe.config.Config;
            import java.util.Arrays;
            import org.apache.spark.api.java.JavaSparkContext;
            import spark.jobserver.BroadcastPersister;
            import spark.jobserver.JavaSparkJob;
            import spark.jobserver.NamedBroadcast;

            public class Greeting extends JavaSparkJob {
                @Override
                public Object runJob(JavaSparkContext jsc, Config jobConfig) {
                    // the context's named objects, as the original's Java jobs reached them: no checked exceptions
                    NamedBroadcast<String> word = namedObjects().getOrElseCreate(
                            "greeting",
                            () -> new NamedBroadcast<>(jsc.broadcast("Hello")),
                            namedObjects().defaultTimeout(),
                            new BroadcastPersister<>());
                    long letters = jsc.parallelize(Arrays.asList(jobConfig.getString("name").split(""))).count();
                    return word.broadcast().value() + " " + jobConfig.getString("name") + " (" + letters + " letters)";
                }

                @Override
                public String invalidate(JavaSparkContext jsc, Config config) {
                    return config.hasPath("name") ? null : "No name config param";
                }
            }
            """,
            "originaljava.Sum", """
            package originaljava;

            import com.typesafe.config.Config;
            import org.apache.spark.api.java.JavaSparkContext;
            import spark.jobserver.api.JobEnvironment;
            import spark.jobserver.japi.JSparkJob;

            public class Sum implements JSparkJob<Integer> {
                public Integer run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
                    return sc.parallelize(data.getIntList("numbers")).reduce(Integer::sum);
                }

                public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
                    return config;
                }
            }
            """);

    private static TestingJobServer server;
    private static Path jar;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        jar = TestJars.buildScala(dir, "original-style", Map.of("original/Jobs", JOBS));
        server = TestingJobServer.start();
        var uploaded = server.post("/binaries/original", Files.readAllBytes(jar), "application/java-archive");
        assertThat(uploaded.status()).as(uploaded.toString()).isEqualTo(201);
        Path javaJar = TestJars.build(dir, "original-java", JAVA_JOBS);
        var javaUploaded =
                server.post("/binaries/original-java", Files.readAllBytes(javaJar), "application/java-archive");
        assertThat(javaUploaded.status()).as(javaUploaded.toString()).isEqualTo(201);
        server.createContext(CTX, "");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestingJobServer.Reply sync(String classPath, String config) {
        return server.post(
                "/jobs?appName=original&classPath=original." + classPath + "&context=" + CTX + "&sync=true&timeout=60",
                config);
    }

    @Test
    void aNewApiObjectValidatesWithScalacticAndRuns() {
        var words = sync("WordFrequencies", "input.string = \"a b a\"");
        assertThat(words.status()).as(words.toString()).isEqualTo(200);
        assertThat(words.json().get("result").size()).isEqualTo(2);
        assertThat(words.json().get("result").get("a").asLong()).isEqualTo(2);
        assertThat(words.json().get("result").get("b").asLong()).isEqualTo(1);

        var missing = sync("WordFrequencies", "");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("status").asText()).isEqualTo("VALIDATION FAILED");
        assertThat(missing.json().get("result").get("message").asText())
                .isEqualTo("One(SingleProblem(No input.string param))");
        assertThat(missing.json().get("result").get("errorClass").asText()).isEqualTo("java.lang.Throwable");
    }

    @Test
    void javaJobsOfTheOriginalRunUnchanged() {
        var greeting = server.post(
                "/jobs?appName=original-java&classPath=originaljava.Greeting&context=" + CTX + "&sync=true&timeout=60",
                "name = Ada");
        assertThat(greeting.status()).as(greeting.toString()).isEqualTo(200);
        assertThat(greeting.json().get("result").asText()).isEqualTo("Hello Ada (3 letters)");
        var nameless = server.post(
                "/jobs?appName=original-java&classPath=originaljava.Greeting&context=" + CTX + "&sync=true", "");
        assertThat(nameless.status()).isEqualTo(400);
        assertThat(nameless.json().get("result").get("message").asText())
                .isEqualTo("One(SparkJobInvalid(No name config param))");

        var sum = server.post(
                "/jobs?appName=original-java&classPath=originaljava.Sum&context=" + CTX + "&sync=true&timeout=60",
                "numbers = [1, 2, 3]");
        assertThat(sum.status()).as(sum.toString()).isEqualTo(200);
        assertThat(sum.json().get("result").asInt()).isEqualTo(6);
    }

    @Test
    void everyProblemOfAValidationReachesTheClient() {
        assertThat(sync("TwoKeys", "a = 1, b = 2").json().get("result").asInt()).isEqualTo(3);
        var both = sync("TwoKeys", "");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("result").get("message").asText())
                .isEqualTo("Many(SingleProblem(No a param), SingleProblem(No b param))");
    }

    @Test
    void aLegacyJobWithNamedRddSupportSharesItsRddWithTheNextJobs() {
        var invalid = sync("CachedSquares", "");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("result").get("message").asText())
                .isEqualTo("One(SparkJobInvalid(No n config param))");

        var first = sync("CachedSquares", "n = 3");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().get("result").get("sum").asLong()).isEqualTo(14);
        assertThat(first.json().get("result").get("names").toString()).contains("\"squares\"");
        assertThat(first.json().get("result").get("cached").toString()).isEqualTo("[\"squares\"]");
        // The RDD of the first job is found by name: n no longer matters.
        assertThat(sync("CachedSquares", "n = 10")
                        .json()
                        .get("result")
                        .get("sum")
                        .asLong())
                .isEqualTo(14);
    }

    @Test
    void namedObjectsTakeTheirPersisterFromTheImplicitScope() {
        assertThat(sync("Primes", "").json().get("result").asLong()).isEqualTo(4);
        assertThat(sync("Primes", "up-to = 13").json().get("result").asLong()).isEqualTo(6);
    }

    @Test
    void resultsOfScalaTypesAreRenderedAsTheOriginalRenderedThem() {
        var values = sync("ScalaValues", "");
        assertThat(values.status()).as(values.toString()).isEqualTo(200);
        var result = values.json().get("result");
        assertThat(result.get("seq").toString()).isEqualTo("[1,2]");
        assertThat(result.get("list").toString()).isEqualTo("[\"a\"]");
        assertThat(result.get("some").toString()).isEqualTo("[\"x\"]");
        assertThat(result.get("none").toString()).isEqualTo("[]");
        assertThat(result.get("pair").toString()).isEqualTo("[\"a\",1]");
        assertThat(result.get("point").toString()).isEqualTo("[1,2]");
        assertThat(result.get("array").toString()).isEqualTo("[2,4,6]");
        assertThat(result.get("nested").toString()).isEqualTo("{\"k\":[1.5]}");
        assertThat(result.get("unit").toString()).isEqualTo("\"()\"");
        // a number here, where the original gave BigDecimal's toString (docs/compatibility.md)
        assertThat(result.get("big").toString()).isEqualTo("1.5");
    }

    @Test
    void theJobsMainRunsItWithAnAnonymousEnvironmentAndNoServer() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(DriverLaunch.SPARK_JVM_OPTIONS);
        command.addAll(List.of(
                "-Xmx512m",
                "-cp",
                jar + java.io.File.pathSeparator + TestJars.driverClassPath(),
                "original.WordFrequencies",
                "x",
                "y",
                "x"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("main.log").toFile())
                .start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(dir.resolve("main.log"), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("Result: (x,2),(y,1)");
    }
}
