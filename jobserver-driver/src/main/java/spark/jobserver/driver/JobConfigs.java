package spark.jobserver.driver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;

/** Builds the configuration a job sees. */
final class JobConfigs {

    private JobConfigs() {}

    /**
     * The posted job configuration (HOCON or JSON text), falling back to {@code fallback} (the server's
     * configuration minus secrets), with substitutions resolved across both.
     *
     * @throws ConfigException when the text does not parse or a substitution cannot be resolved
     */
    static Config merge(String jobConfig, Config fallback) {
        String text = jobConfig == null ? "" : jobConfig;
        Config posted = ConfigFactory.parseString(
                text,
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setOriginDescription("job configuration"));
        return posted.withFallback(fallback).resolve();
    }
}
