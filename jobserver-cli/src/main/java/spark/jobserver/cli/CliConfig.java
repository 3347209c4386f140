package spark.jobserver.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the CLI's settings come from, first found wins: the command line, the environment
 * ({@code JOBSERVER_URL}, {@code JOBSERVER_USER}, {@code JOBSERVER_PASSWORD}, {@code JOBSERVER_TOKEN}), the
 * config file ({@code $JOBSERVER_CLI_CONFIG}, else {@code $XDG_CONFIG_HOME/jobserver/cli.properties}, else
 * {@code ~/.config/jobserver/cli.properties}; keys {@code url}, {@code user}, {@code password},
 * {@code token}), and for the URL {@code http://localhost:8090}.
 */
record CliConfig(Map<String, String> env, Properties file, Path fileLocation) {
    static final String DEFAULT_URL = "http://localhost:8090";

    static CliConfig load(Map<String, String> env, Path home) {
        Path location = location(env, home);
        Properties properties = new Properties();
        if (Files.isRegularFile(location)) {
            try (Reader reader = Files.newBufferedReader(location)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + location, e);
            }
        }
        return new CliConfig(Map.copyOf(env), properties, location);
    }

    static Path location(Map<String, String> env, Path home) {
        String explicit = env.get("JOBSERVER_CLI_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config");
        return base.resolve("jobserver").resolve("cli.properties");
    }

    String url(String fromCommandLine) {
        return setting(fromCommandLine, "JOBSERVER_URL", "url").orElse(DEFAULT_URL);
    }

    Optional<String> user(String fromCommandLine) {
        return setting(fromCommandLine, "JOBSERVER_USER", "user");
    }

    Optional<String> password(String fromCommandLine) {
        return setting(fromCommandLine, "JOBSERVER_PASSWORD", "password");
    }

    Optional<String> token(String fromCommandLine) {
        return setting(fromCommandLine, "JOBSERVER_TOKEN", "token");
    }

    private Optional<String> setting(String fromCommandLine, String envName, String key) {
        if (fromCommandLine != null && !fromCommandLine.isBlank()) {
            return Optional.of(fromCommandLine);
        }
        String fromEnv = env.get(envName);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv);
        }
        String fromFile = file.getProperty(key);
        return fromFile != null && !fromFile.isBlank() ? Optional.of(fromFile.trim()) : Optional.empty();
    }
}
