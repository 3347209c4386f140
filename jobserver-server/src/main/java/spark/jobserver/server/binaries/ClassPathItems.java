package spark.jobserver.server.binaries;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The items of a class path as users give them ({@code dependent-jar-uris}, {@code cp}): names of
 * uploaded binaries, {@code local:} paths, or URIs. Shared by context and job start.
 */
public final class ClassPathItems {
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

    private ClassPathItems() {}

    /** A config value that is a list or a comma-separated string, as trimmed non-empty items. */
    public static List<String> list(Config config, String path) {
        List<String> raw = config.getValue(path).valueType() == ConfigValueType.LIST
                ? config.getStringList(path)
                : Arrays.asList(config.getString(path).split(","));
        return raw.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** The item as a URI ({@code local:} becomes {@code file:}), or empty when it names an uploaded binary. */
    public static Optional<String> asUri(String item) {
        if (item.startsWith("local:")) {
            return Optional.of("file:" + item.substring("local:".length()));
        }
        return URI_SCHEME.matcher(item).matches() ? Optional.of(item) : Optional.empty();
    }
}
