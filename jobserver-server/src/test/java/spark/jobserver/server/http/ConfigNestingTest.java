package spark.jobserver.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.config.Configs;

class ConfigNestingTest {
    /** Texts nested n levels deep, in every way a config can nest. */
    private static final List<IntFunction<String>> SHAPES = List.of(
            n -> "a = " + "[".repeat(n) + "]".repeat(n),
            n -> "a {".repeat(n) + "}".repeat(n),
            n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n),
            n -> "a = 1\n" + "a" + ".a".repeat(n) + " = 1",
            n -> "\"a\"" + ".\"a\"".repeat(n) + " = 1",
            n -> "a.a {".repeat(n / 2) + (n % 2 == 1 ? "b.c = 1" : "") + "}".repeat(n / 2),
            n -> "x = [" + "{a: [".repeat(n / 2) + "]}".repeat(n / 2) + "]");

    @Test
    void flatConfigsAreNotNested() {
        assertThat(ConfigNesting.depth("")).isZero();
        assertThat(ConfigNesting.depth("input.string = \"a b c\"")).isEqualTo(1);
        assertThat(ConfigNesting.depth("a { b { c = 1 } }\nd = [1, 2]")).isEqualTo(2);
    }

    @Test
    void quotedStringsAndCommentsDoNotCount() {
        assertThat(ConfigNesting.depth("a = \"[[[[{{{{....\"")).isZero();
        assertThat(ConfigNesting.depth("a = \"\\\"[[[[\"")).isZero();
        assertThat(ConfigNesting.depth("a = \"\"\"[[[[\n{{{{ \"quoted\" ....\"\"\""))
                .isZero();
        assertThat(ConfigNesting.depth("# [[[[....\n// {{{{\na = 1")).isZero();
    }

    @Test
    void theEstimateIsNeverBelowTheNesting() {
        for (IntFunction<String> shape : SHAPES) {
            for (int n : new int[] {1, 2, 10, 99, 100, 101, 5_000}) {
                assertThat(ConfigNesting.depth(shape.apply(n)))
                        .as(shape.apply(Math.min(n, 3)))
                        .isGreaterThanOrEqualTo(n);
            }
        }
    }

    @Test
    void configsAsDeepAsTheLimitParse() {
        for (IntFunction<String> shape : SHAPES) {
            String text = shape.apply(ConfigNesting.LIMIT);
            if (ConfigNesting.depth(text) <= ConfigNesting.LIMIT) {
                assertThat(Configs.toJson(Configs.parseBody(text))).isNotEmpty();
            }
        }
        assertThat(ConfigNesting.depth(SHAPES.get(0).apply(ConfigNesting.LIMIT)))
                .isEqualTo(ConfigNesting.LIMIT);
    }
}
