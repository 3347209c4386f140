package spark.jobserver.client;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The server route a {@link JobServerClient} method calls, as the server's OpenAPI description names it
 * ({@code GET /jobs/{id}}). A test compares these with a live server's {@code /openapi.json}, so that the
 * client covers every route and calls none that does not exist.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ApiRoute {
    /** The HTTP method: {@code GET}, {@code POST}, {@code PUT} or {@code DELETE}. */
    String method();

    /** The path template as in the spec, e.g. {@code /contexts/{name}}. */
    String path();
}
