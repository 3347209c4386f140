package spark.jobserver.server.contexts;

import spark.jobserver.server.http.ApiException;

/** The rules for context names. */
public final class ContextNames {
    private ContextNames() {}

    /** A name a user gives: starts with a letter (ad-hoc names start with hex digits, as in the original). */
    public static void validateUserName(String name) {
        if (name == null || name.isEmpty() || !Character.isLetter(name.charAt(0))) {
            throw ApiException.error(400, "context name must start with letters");
        }
        validateCharacters(name);
    }

    /** Any context name: it becomes a directory-like key and appears in logs. */
    static void validateCharacters(String name) {
        if (name.length() > 200 || name.chars().anyMatch(c -> c == '/' || c == '\\' || Character.isISOControl(c))) {
            throw ApiException.error(
                    400,
                    "context name must not contain slashes or control characters and must be"
                            + " at most 200 characters long");
        }
    }
}
