package spark.jobserver.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonSettingsTest {
    @Test
    void theDefaultsAreTheReferencesPython3AndNoPathsOfItsOwn() {
        PythonSettings settings = PythonSettings.from(ConfigFactory.empty(), Map.of());
        assertThat(settings.executable()).isEqualTo("python3");
        assertThat(settings.paths()).isEmpty();
        assertThat(settings.startTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theContextsPathsComeFirstThenTheRuntimeThenTheDriversOwnPythonpath() {
        PythonSettings settings = PythonSettings.from(
                ConfigFactory.parseString(
                        "python { executable = /opt/py/bin/python3.11, paths = [/mine, /shared], start-timeout = 5s }"),
                Map.of("JOBSERVER_PYTHON_PATH", "/runtime/site:/runtime/src", "PYTHONPATH", "/inherited:/mine"));
        assertThat(settings.executable()).isEqualTo("/opt/py/bin/python3.11");
        assertThat(settings.paths()).containsExactly("/mine", "/shared", "/runtime/site", "/runtime/src", "/inherited");
        assertThat(settings.pythonPath()).isEqualTo("/mine:/shared:/runtime/site:/runtime/src:/inherited");
        assertThat(settings.startTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aSparkHomeTheDriverDoesNotRunOnAddsNothing(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("python/lib"));
        Files.writeString(home.resolve("python/lib/pyspark.zip"), "");
        Files.writeString(home.resolve("python/lib/py4j-0.10.9.9-src.zip"), "");
        // the tests run on the Spark jars of the Maven repository, not on this distribution
        PythonSettings settings = PythonSettings.from(ConfigFactory.empty(), Map.of("SPARK_HOME", home.toString()));
        assertThat(settings.paths()).isEqualTo(List.of());
    }

    @Test
    void wrongSettingsAreNamed() {
        assertThatThrownBy(() -> PythonSettings.from(ConfigFactory.parseString("python.paths = 3"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("python.paths");
        assertThatThrownBy(() -> PythonSettings.from(ConfigFactory.parseString("python.executable = \"\""), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("python.executable is empty");
    }
}
