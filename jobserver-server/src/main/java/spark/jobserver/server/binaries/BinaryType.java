package spark.jobserver.server.binaries;

import java.util.Locale;
import java.util.Optional;
import spark.jobserver.protocol.BinaryRef;

/** Kinds of uploadable binaries, chosen by the upload's Content-Type only. */
public enum BinaryType {
    JAR("Jar", "application/java-archive", BinaryRef.Kind.JAR),
    EGG("Egg", "application/python-egg", BinaryRef.Kind.EGG),
    WHEEL("Wheel", "application/python-wheel", BinaryRef.Kind.WHEEL);

    private final String wireName;
    private final String mediaType;
    private final BinaryRef.Kind kind;
    private final String extension;

    BinaryType(String wireName, String mediaType, BinaryRef.Kind kind) {
        this.wireName = wireName;
        this.mediaType = mediaType;
        this.kind = kind;
        this.extension = kind.extension();
    }

    /** What a driver does with binaries of this type: load a jar, or give an egg or wheel to Python. */
    public BinaryRef.Kind kind() {
        return kind;
    }

    /** As shown in {@code binary-type}. */
    public String wireName() {
        return wireName;
    }

    public String extension() {
        return extension;
    }

    /** The Content-Type an upload of this type carries. */
    public String mediaType() {
        return mediaType;
    }

    /** The type of an upload with this Content-Type; {@code application/python-archive} is a legacy egg. */
    public static Optional<BinaryType> fromContentType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (media.equals("application/python-archive")) {
            return Optional.of(EGG);
        }
        for (BinaryType type : values()) {
            if (type.mediaType.equals(media)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** The type of a binary given by file name at start-up ({@code job-bin-paths}). */
    public static Optional<BinaryType> fromFileName(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        for (BinaryType type : values()) {
            if (lower.endsWith(type.extension)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    static BinaryType fromWireName(String name) {
        for (BinaryType type : values()) {
            if (type.wireName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown binary type " + name);
    }
}
