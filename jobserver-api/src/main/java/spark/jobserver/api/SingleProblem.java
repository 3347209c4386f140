package spark.jobserver.api;

import static java.util.Objects.requireNonNull;

/**
 * The stock {@link ValidationProblem}: a sentence saying what is wrong.
 *
 * @param problem the human-readable reason, for example {@code "No input.string param"}
 */
public record SingleProblem(String problem) implements ValidationProblem {
    public SingleProblem {
        requireNonNull(problem, "problem is null");
    }

    /** Renders as the original project did, e.g. {@code SingleProblem(No input.string param)}. */
    @Override
    public String toString() {
        return "SingleProblem(" + problem + ")";
    }
}
