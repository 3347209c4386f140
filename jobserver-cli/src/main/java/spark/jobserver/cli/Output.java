package spark.jobserver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a command prints on stdout: a table for people, or JSON ({@code -o json}) for scripts. */
final class Output {
    enum Format {
        table,
        json
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Format format;
    private final PrintWriter out;

    Output(Format format, PrintWriter out) {
        this.format = format;
        this.out = out;
    }

    boolean json() {
        return format == Format.json;
    }

    /** Rows under headers; in JSON the value {@code asJson} instead. */
    void table(List<String> headers, List<List<String>> rows, Object asJson) {
        if (json()) {
            printJson(asJson);
            return;
        }
        out.print(renderTable(headers, rows));
        out.flush();
    }

    /** One object as "key: value" lines; in JSON {@code asJson}. */
    void fields(Map<String, String> fields, Object asJson) {
        if (json()) {
            printJson(asJson);
            return;
        }
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        fields.forEach((k, v) -> out.println(pad(k + ":", width + 1) + " " + (v == null ? "" : v)));
        out.flush();
    }

    /** A message for people; in JSON {@code asJson}. */
    void message(String text, Object asJson) {
        if (json()) {
            printJson(asJson);
        } else {
            out.println(text);
            out.flush();
        }
    }

    /** A JSON value as it is (a job's result): text as text in a table, else pretty JSON. */
    void value(JsonNode value) {
        if (!json() && value != null && value.isTextual()) {
            out.println(value.asText());
            out.flush();
        } else {
            printJson(value);
        }
    }

    void printJson(Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    static String renderTable(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], cell(row, i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                line.append(i == widths.length - 1 ? cell(row, i) : pad(cell(row, i), widths[i]) + "  ");
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    private static String cell(List<String> row, int i) {
        String value = i < row.size() ? row.get(i) : null;
        return value == null ? "" : value.replace('\n', ' ');
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    static Map<String, Object> envelope(String status, String result) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("status", status);
        if (result != null) {
            map.put("result", result);
        }
        return map;
    }

    static List<String> row(String... cells) {
        return Arrays.asList(cells);
    }
}
