package spark.jobserver.api;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of {@link SparkJobBase#validate}: either the data the job will run with ({@link Good}) or
 * one or more problems ({@link Bad}) that make the server answer {@code 400 VALIDATION FAILED} without
 * running the job.
 *
 * @param <T> the type of the job's input data
 */
public sealed interface JobValidation<T> permits JobValidation.Good, JobValidation.Bad {

    /** Valid input: {@code data} is handed to {@code runJob}. */
    static <T> JobValidation<T> good(T data) {
        return new Good<>(data);
    }

    /** Invalid input, one {@link SingleProblem} per reason. */
    static <T> JobValidation<T> bad(String problem, String... more) {
        List<ValidationProblem> problems = new java.util.ArrayList<>();
        problems.add(new SingleProblem(problem));
        Arrays.stream(more).map(SingleProblem::new).forEach(problems::add);
        return new Bad<>(problems);
    }

    /** Invalid input with problems of the job's own types. */
    static <T> JobValidation<T> bad(List<? extends ValidationProblem> problems) {
        return new Bad<>(List.copyOf(problems));
    }

    /** Whether the input was accepted. */
    boolean isGood();

    /**
     * Valid input.
     *
     * @param data what {@code runJob} receives; may be null
     */
    record Good<T>(T data) implements JobValidation<T> {
        @Override
        public boolean isGood() {
            return true;
        }
    }

    /**
     * Invalid input.
     *
     * @param problems at least one problem
     */
    record Bad<T>(List<ValidationProblem> problems) implements JobValidation<T> {
        public Bad {
            requireNonNull(problems, "problems is null");
            problems = List.copyOf(problems);
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("a Bad validation needs at least one problem");
            }
        }

        @Override
        public boolean isGood() {
            return false;
        }

        /**
         * The text clients see as the VALIDATION FAILED message, in the original project's form:
         * {@code One(SingleProblem(reason))} or {@code Many(a, b)}.
         */
        public String describe() {
            if (problems.size() == 1) {
                return "One(" + problems.get(0) + ")";
            }
            return problems.stream().map(String::valueOf).collect(Collectors.joining(", ", "Many(", ")"));
        }
    }
}
