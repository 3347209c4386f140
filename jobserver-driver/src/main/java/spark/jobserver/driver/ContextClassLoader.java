package spark.jobserver.driver;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * The one class loader of a context: job binaries are added to it as jobs need them, so classes and
 * named objects of one job stay usable by the next. Delegates to its parent first, like the loader
 * Spark's executors build on top of it.
 */
final class ContextClassLoader extends URLClassLoader {
    static {
        // Jobs load classes from several threads at once.
        ClassLoader.registerAsParallelCapable();
    }

    ContextClassLoader(ClassLoader parent) {
        super("jobserver-context", new URL[0], parent);
    }

    @Override
    public void addURL(URL url) {
        super.addURL(url);
    }
}
