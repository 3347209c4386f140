package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One SparkSession context (a real driver JVM, {@code SessionContextFactory}) shared by the class:
 * session jobs, a table shared between jobs, jobs of the wrong type, and the Hive fallback.
 */
class SessionContextIT {
    private static final String CTX = "session-ctx";
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        server.uploadExamples("test");
        server.createContext(CTX, "context-factory=spark.jobserver.context.SessionContextFactory");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestingJobServer.Reply sync(String classPath, String config) {
        return server.post(
                "/jobs?appName=test&classPath=" + classPath + "&context=" + CTX + "&sync=true&timeout=60", config);
    }

    @Test
    void aSessionJobRunsSqlAndReturnsTheRowsAsText() {
        var reply = sync("spark.jobserver.SessionTestJob", "sql = \"select 40 + 2 as answer\"");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("result").toString()).isEqualTo("[\"[42]\"]");
        assertThat(reply.json().get("jobId").asText()).isNotBlank();

        var invalid = sync("spark.jobserver.SessionTestJob", "");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("status").asText()).isEqualTo("VALIDATION FAILED");
        assertThat(invalid.json().get("result").get("message").asText()).isEqualTo("One(SingleProblem(No sql param))");
    }

    @Test
    void aTableOneJobCreatesIsThereForTheNext() {
        var loaded = sync("spark.jobserver.SessionLoaderTestJob", "");
        assertThat(loaded.status()).as(loaded.toString()).isEqualTo(200);
        assertThat(loaded.json().get("result").asLong()).isEqualTo(3);

        var queried = sync(
                "spark.jobserver.SessionTestJob",
                "sql = \"select city, count(*) from test_addresses group by city order by city\"");
        assertThat(queried.json().get("result").toString()).isEqualTo("[\"[Purple City,1]\",\"[San Jose,2]\"]");
    }

    @Test
    void jobsOfAnotherTypeAreRefusedBeforeTheyRun() {
        for (String classPath : new String[] {
            "spark.jobserver.WordCountExample",
            "spark.jobserver.JSessionTestJob",
            "spark.jobserver.JavaHelloWorldJob",
            "spark.jobserver.StreamingTestJob"
        }) {
            var refused =
                    server.post("/jobs?appName=test&classPath=" + classPath + "&context=" + CTX, "input.string = a");
            assertThat(refused.status()).as(classPath + ": " + refused).isEqualTo(400);
            assertThat(refused.json().toString())
                    .isEqualTo("{\"status\":\"ERROR\",\"result\":\"Invalid job type for this context\"}");
        }
        // The context is unharmed.
        assertThat(sync("spark.jobserver.SessionTestJob", "sql = \"select 1\"")
                        .json()
                        .get("result")
                        .toString())
                .isEqualTo("[\"[1]\"]");
    }

    @Test
    void withoutHiveOnTheDriverTheSessionFallsBackWithAWarning() throws Exception {
        var facts = sync("spark.jobserver.SessionTestJob", "sql = \"set spark.sql.catalogImplementation\"");
        assertThat(facts.json().get("result").toString())
                .isEqualTo("[\"[spark.sql.catalogImplementation,in-memory]\"]");
        String id = server.get("/contexts/" + CTX).json().get("id").asText();
        Path log = server.root().resolve("contexts").resolve(id).resolve("driver.log");
        assertThat(Files.readString(log)).contains("Hive support not enabled for context '" + CTX + "'");
    }

    @Test
    void requiringHiveWithoutItFailsTheContextClearly() {
        var failed = server.post(
                "/contexts/hive-ctx?context-factory=spark.jobserver.context.SessionContextFactory"
                        + "&spark.sql.catalogImplementation=hive",
                "");
        assertThat(failed.status()).as(failed.toString()).isEqualTo(500);
        assertThat(failed.json().get("status").asText()).isEqualTo("CONTEXT INIT ERROR");
        assertThat(failed.json().get("result").get("message").asText())
                .startsWith(
                        "Hive support was requested (spark.sql.catalogImplementation = hive) but the Hive classes are not"
                                + " on the driver's class path");
        JsonNode ctx = server.await(
                        "/contexts/hive-ctx",
                        r -> r.json().get("state").asText().equals("ERROR"),
                        Duration.ofSeconds(30))
                .json();
        assertThat(ctx.get("state").asText()).isEqualTo("ERROR");
    }
}
