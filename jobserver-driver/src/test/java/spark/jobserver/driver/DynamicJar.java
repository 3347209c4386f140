package spark.jobserver.driver;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles job sources into a jar at test time, so that its classes are on no class path but the context's. */
final class DynamicJar {
    private DynamicJar() {}

    /**
     * @param sources class name to Java source
     */
    static Path build(Path dir, String jarName, Map<String, String> sources) throws IOException {
        Path src = Files.createDirectories(dir.resolve(jarName + "-src"));
        Path classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
        List<String> args = new java.util.ArrayList<>(
                List.of("-d", classes.toString(), "--release", "17", "-cp", compileClassPath()));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int rc = compiler.run(null, null, null, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("compiling the test jar failed");
        }
        Path jar = dir.resolve(jarName + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(
                        new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                try (OutputStream entry = new NonClosing(out)) {
                    Files.copy(file, entry);
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    /** The jars a job compiles against: the job API, Typesafe Config, Spark (core, common utils), Scala and scalactic. */
    private static String compileClassPath() {
        return Stream.of(
                        spark.jobserver.SparkJob.class,
                        com.typesafe.config.Config.class,
                        org.apache.spark.SparkContext.class,
                        org.apache.spark.api.java.function.Function.class,
                        org.apache.spark.internal.Logging.class,
                        org.apache.spark.internal.config.ConfigEntry.class,
                        scala.Option.class,
                        org.scalactic.Or.class)
                .map(DynamicJar::location)
                .distinct()
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
