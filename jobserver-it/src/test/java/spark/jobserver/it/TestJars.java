package spark.jobserver.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Jars compiled at test time, for classes that must be in no jar but the one a test uploads: compiled
 * against the driver's runtime (Spark, the job API, Typesafe Config), as a job author's jar would be.
 * Also eggs of Python sources, for Python jobs that only one test needs.
 */
final class TestJars {
    private TestJars() {}

    /**
     * An egg: a zip archive with the Python packages at its root, as setuptools' {@code bdist_egg} makes.
     *
     * @param sources path in the egg ({@code pkg/__init__.py}) to Python source
     */
    static Path egg(Path dir, String eggName, Map<String, String> sources) {
        Path egg = dir.resolve(eggName);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(egg))) {
            for (Map.Entry<String, String> source : sources.entrySet()) {
                zip.putNextEntry(new ZipEntry(source.getKey()));
                zip.write(source.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return egg;
    }

    /**
     * @param sources class name to Java source
     * @return the jar
     */
    static Path build(Path dir, String jarName, Map<String, String> sources) {
        return compile(dir, jarName, sources, ".java", (classes, files) -> {
            List<String> args =
                    new ArrayList<>(List.of("-d", classes.toString(), "--release", "17", "-cp", driverClassPath()));
            files.forEach(file -> args.add(file.toString()));
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            return compiler.run(null, null, null, args.toArray(String[]::new)) == 0;
        });
    }

    /**
     * Compiles Scala sources with the Scala compiler of the job API's Scala version.
     *
     * @param sources file name (without {@code .scala}) to Scala source
     * @return the jar
     */
    static Path buildScala(Path dir, String jarName, Map<String, String> sources) {
        return compile(dir, jarName, sources, ".scala", (classes, files) -> {
            List<String> args = new ArrayList<>(List.of(
                    "-d", classes.toString(), "-release", "17", "-deprecation", "-classpath", driverClassPath()));
            files.forEach(file -> args.add(file.toString()));
            return scala.tools.nsc.Main.process(args.toArray(String[]::new));
        });
    }

    /** Runs a compiler on sources written under {@code dir}. */
    @FunctionalInterface
    private interface Compiler {
        boolean compile(Path classes, List<Path> sources) throws IOException;
    }

    private static Path compile(
            Path dir, String jarName, Map<String, String> sources, String extension, Compiler compiler) {
        try {
            Path src = Files.createDirectories(dir.resolve(jarName + "-src"));
            Path classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
            List<Path> files = new ArrayList<>();
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path file = src.resolve(e.getKey().replace('.', '/') + extension);
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue());
                files.add(file);
            }
            if (!compiler.compile(classes, files)) {
                throw new IllegalStateException("compiling " + jarName + " failed");
            }
            Path jar = dir.resolve(jarName + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                    Stream<Path> written = Files.walk(classes)) {
                for (Path file : written.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(
                            new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(file));
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The class path a driver runs with: Spark, Scala, the job API and its dependencies. */
    static String driverClassPath() throws IOException {
        String file = System.getProperty("jobserver.driver.classpath-file");
        if (file == null) {
            throw new IllegalStateException(
                    "System property jobserver.driver.classpath-file is not set (run through Maven Failsafe)");
        }
        return Files.readString(Path.of(file)).strip();
    }
}
