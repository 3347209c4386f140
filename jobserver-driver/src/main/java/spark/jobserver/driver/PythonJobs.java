package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.util.ArrayList;
import java.util.List;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Rejection;
import spark.jobserver.python.PythonContext;
import spark.jobserver.python.PythonJob;

/**
 * Python jobs as the rest of the driver sees them: loaded, validated and run by the context's Python
 * process, whose answers ({@code sparkjobserver/worker.py}) become the same rejections, validation
 * failures, errors and results as a JVM job's.
 */
final class PythonJobs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PythonJobs() {}

    /**
     * The job, loaded by the context's Python process for {@code jobId}.
     *
     * @throws JobRejectedException {@link Rejection#CLASS_NOT_FOUND} when Python has no such class,
     *     {@link Rejection#LOADING_FAILED} when its module or constructor raised
     */
    static Loaded load(PythonContext context, String jobId, PythonJob job)
            throws JobRejectedException, InterruptedException {
        JsonNode answer = parse(context.load(jobId, job));
        switch (answer.path("outcome").asText()) {
            case "loaded" -> {
                return new Loaded(context, jobId);
            }
            case "not_found" ->
                throw new JobRejectedException(
                        Rejection.CLASS_NOT_FOUND,
                        ErrorInfo.of(answer.path("message").asText(), ClassNotFoundException.class.getName()));
            case "load_failed" -> throw new JobRejectedException(Rejection.LOADING_FAILED, error(answer));
            default -> throw unexpected(answer);
        }
    }

    /** A Python job loaded in its context's Python process. */
    static final class Loaded {
        private final PythonContext context;
        private final String jobId;
        private boolean ran;

        private Loaded(PythonContext context, String jobId) {
            this.context = requireNonNull(context, "context is null");
            this.jobId = requireNonNull(jobId, "jobId is null");
        }

        /**
         * Runs the job's {@code validate}, which (unlike the original's) gets the job's runtime too.
         *
         * @throws PythonJobException what {@code validate} raised
         */
        JobStyles.Validated validate(Config config) throws InterruptedException, PythonJobException {
            JsonNode answer = parse(context.validate(jobId, config.root().render(ConfigRenderOptions.concise())));
            return switch (answer.path("outcome").asText()) {
                case "valid" -> new JobStyles.Valid(this::run);
                case "invalid" ->
                    new JobStyles.Invalid(
                            new ErrorInfo(problems(answer.path("problems")), JobStyles.VALIDATION_ERROR_CLASS, ""));
                case "error" -> throw new PythonJobException(error(answer));
                default -> throw unexpected(answer);
            };
        }

        /**
         * Runs the job.
         *
         * @return its result as JSON
         * @throws PythonJobException what {@code run_job} raised
         */
        JsonNode run() throws InterruptedException, PythonJobException {
            ran = true;
            JsonNode answer = parse(context.run(jobId));
            return switch (answer.path("outcome").asText()) {
                case "result" -> answer.path("value");
                case "error" -> throw new PythonJobException(error(answer));
                default -> throw unexpected(answer);
            };
        }

        /** Forgets the job in Python unless it ran (a run forgets it itself). */
        void release() {
            if (ran) {
                return;
            }
            try {
                context.discard(jobId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the process is gone, and the job with it
            }
        }
    }

    /**
     * The message of refused validation, rendered as a JVM job's ({@code One(SingleProblem(...))},
     * {@code Many(..., ...)}), so clients read both the same way.
     */
    static String problems(JsonNode problems) {
        List<String> each = new ArrayList<>();
        problems.forEach(p -> each.add("SingleProblem(" + p.asText() + ")"));
        if (each.size() == 1) {
            return "One(" + each.get(0) + ")";
        }
        return "Many(" + String.join(", ", each) + ")";
    }

    private static ErrorInfo error(JsonNode answer) {
        JsonNode error = answer.path("error");
        return new ErrorInfo(
                error.path("message").asText(null),
                error.path("errorClass").asText(null),
                error.path("stack").asText(""));
    }

    private static JsonNode parse(String answer) {
        try {
            return JSON.readTree(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the Python process answered what is not JSON: " + e.getMessage(), e);
        }
    }

    private static IllegalStateException unexpected(JsonNode answer) {
        String text = answer.toString();
        return new IllegalStateException("unexpected answer from the Python process: "
                + (text.length() > 500 ? text.substring(0, 500) + "..." : text));
    }
}
