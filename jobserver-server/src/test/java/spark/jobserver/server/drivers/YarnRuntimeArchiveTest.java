package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YarnRuntimeArchiveTest {

    private static List<String> entries(Path zip) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName() + "=" + new String(in.readAllBytes()));
            }
        }
        return names;
    }

    @Test
    void theRuntimesJarsGoIntoOneArchiveBuiltOncePerRuntime(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(Files.createDirectories(dir.resolve("m2/a")).resolve("spark-core.jar"), "core");
        Path b = Files.writeString(Files.createDirectories(dir.resolve("m2/b")).resolve("spark-yarn.jar"), "yarn");
        Path shadowed =
                Files.writeString(Files.createDirectories(dir.resolve("m2/c")).resolve("spark-core.jar"), "x");
        String classpath = String.join(
                ":",
                a.toString(),
                dir.resolve("classes").toString(),
                b.toString(),
                shadowed.toString(),
                dir.resolve("missing.jar").toString());
        YarnRuntimeArchive runtime = new YarnRuntimeArchive(dir.resolve("yarn"), classpath);

        Path archive = runtime.get();
        assertThat(archive.getFileName().toString()).matches("spark-runtime-[0-9a-f]{16}\\.zip");
        // one entry per file name, the first on the class path, at the archive's root as YARN wants them
        assertThat(entries(archive)).containsExactly("spark-core.jar=core", "spark-yarn.jar=yarn");

        FileTime built = Files.getLastModifiedTime(archive);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(built.toMillis() - 60_000));
        assertThat(runtime.get()).isEqualTo(archive);
        assertThat(Files.getLastModifiedTime(archive).toMillis()).isEqualTo(built.toMillis() - 60_000);

        // a changed jar is another runtime: a new archive, and the old one goes
        Files.writeString(b, "yarn, rebuilt");
        Path rebuilt = runtime.get();
        assertThat(rebuilt).isNotEqualTo(archive);
        assertThat(entries(rebuilt)).containsExactly("spark-core.jar=core", "spark-yarn.jar=yarn, rebuilt");
        try (Stream<Path> files = Files.list(dir.resolve("yarn"))) {
            assertThat(files).containsExactly(rebuilt);
        }
    }
}
