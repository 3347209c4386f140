package spark.jobserver.python;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * A job written in Python: {@code module.Class} from the eggs and wheels the job asked for. Only a
 * {@link PythonContextFactory}'s contexts run it; its class is looked up by the context's Python process.
 *
 * @param classPath the job's {@code module.Class}
 * @param pyFiles local copies of the job's eggs and wheels
 */
public record PythonJob(String classPath, List<Path> pyFiles) {
    public PythonJob {
        requireNonNull(classPath, "classPath is null");
        pyFiles = List.copyOf(pyFiles);
    }
}
