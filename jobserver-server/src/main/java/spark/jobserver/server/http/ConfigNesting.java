package spark.jobserver.server.http;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How deeply a HOCON/JSON text nests, estimated from above without parsing it: the config parser
 * recurses once per level and a few thousand levels (well within the request size limit) overflow a
 * request thread's stack. Objects, arrays and dotted keys ({@code a.b.c} is three levels) count;
 * quoted strings and comments do not.
 */
final class ConfigNesting {
    /** Far above any real configuration, far below what overflows a stack. */
    static final int LIMIT = 100;

    private ConfigNesting() {}

    /**
     * The deepest level the text may reach: the open objects and arrays plus the dots of the keys
     * that lead into them. Dots in unquoted values count too, so the estimate may be high, never low.
     */
    static int depth(String text) {
        Deque<Integer> open = new ArrayDeque<>();
        int dots = 0;
        int deepest = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                i = afterString(text, i);
                continue;
            }
            if (c == '#' || (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/')) {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end;
                continue;
            }
            int level = open.isEmpty() ? 0 : open.peek();
            switch (c) {
                case '.' -> dots++;
                case '{', '[' -> {
                    open.push(level + dots + 1);
                    dots = 0;
                }
                case '}', ']' -> {
                    if (!open.isEmpty()) {
                        open.pop();
                    }
                    dots = 0;
                }
                case ',', '\n' -> dots = 0;
                default -> {
                    // part of a key or value
                }
            }
            deepest = Math.max(deepest, (open.isEmpty() ? 0 : open.peek()) + dots);
            i++;
        }
        return deepest;
    }

    /** The index after the quoted string starting at {@code start} (plain or triple-quoted). */
    private static int afterString(String text, int start) {
        if (text.startsWith("\"\"\"", start)) {
            int end = text.indexOf("\"\"\"", start + 3);
            return end < 0 ? text.length() : end + 3;
        }
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '"' || c == '\n') {
                return i + 1;
            } else {
                i++;
            }
        }
        return text.length();
    }
}
