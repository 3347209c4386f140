package spark.jobserver.client;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The kinds of binary the server stores, with the name it shows and the content type an upload is sent with. */
public enum BinaryType {
    JAR("Jar", "application/java-archive", ".jar"),
    EGG("Egg", "application/python-egg", ".egg"),
    WHEEL("Wheel", "application/python-wheel", ".whl");

    private final String wireName;
    private final String contentType;
    private final String extension;

    BinaryType(String wireName, String contentType, String extension) {
        this.wireName = wireName;
        this.contentType = contentType;
        this.extension = extension;
    }

    /** {@code Jar}, {@code Egg} or {@code Wheel}, as {@code binary-type} shows it. */
    public String wireName() {
        return wireName;
    }

    public String contentType() {
        return contentType;
    }

    /** The type of a file by its extension ({@code .jar}, {@code .egg}, {@code .whl}), if it has one of them. */
    public static Optional<BinaryType> fromFileName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (BinaryType type : values()) {
            if (name.endsWith(type.extension)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** A type by its wire name or constant name, ignoring case ({@code jar}, {@code Wheel}, {@code whl}). */
    public static BinaryType parse(String name) {
        for (BinaryType type : values()) {
            if (type.wireName.equalsIgnoreCase(name)
                    || type.name().equalsIgnoreCase(name)
                    || type.extension.substring(1).equalsIgnoreCase(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Unknown binary type '" + name + "' (jar, egg or wheel)");
    }
}
