package spark.jobserver.client;

/** The server's exception map: {@code {"message","errorClass","stack"}}; {@code message} may be null. */
public record ErrorInfo(String message, String errorClass, String stack) {}
