package spark.jobserver.server.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import java.io.File;
import java.net.URL;

/**
 * Refuses every {@code include} of HOCON a client sends: an include would read a file of the server's,
 * one of its class-path resources or a URL it can reach into a job's configuration, where
 * {@code GET /jobs/<id>/config} shows it back. Every kind of include must be refused here: Typesafe
 * Config falls back to its own includer for the kinds an includer does not implement.
 */
final class NoIncludes implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
    static final NoIncludes INSTANCE = new NoIncludes();

    private NoIncludes() {}

    @Override
    public ConfigIncluder withFallback(ConfigIncluder fallback) {
        return this;
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        throw refused(what);
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File what) {
        throw refused("file(" + what + ")");
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
        throw refused("url(" + what + ")");
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
        throw refused("classpath(" + what + ")");
    }

    private static ConfigException refused(String what) {
        return new ConfigException.Generic("include is not allowed in a request: " + what);
    }
}
