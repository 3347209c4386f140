package spark.jobserver.common;

import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;

/**
 * A value built at its first use and kept: for what is costly to build and often not needed at all
 * (an HTTP client loads TLS and parses the trust store when it is built).
 */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<? extends T> factory;
    private volatile T value;

    private Lazy(Supplier<? extends T> factory) {
        this.factory = requireNonNull(factory, "factory is null");
    }

    public static <T> Lazy<T> of(Supplier<? extends T> factory) {
        return new Lazy<>(factory);
    }

    @Override
    public T get() {
        T current = value;
        if (current == null) {
            synchronized (this) {
                current = value;
                if (current == null) {
                    current = requireNonNull(factory.get(), "the factory returned null");
                    value = current;
                }
            }
        }
        return current;
    }

    /** Whether the value has been built. */
    public boolean isBuilt() {
        return value != null;
    }
}
