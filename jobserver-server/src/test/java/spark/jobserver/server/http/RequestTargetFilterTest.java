package spark.jobserver.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestTargetFilterTest {

    @Test
    void wellFormedQueryStringsPass() {
        assertThat(RequestTargetFilter.queryProblem(null)).isNull();
        assertThat(RequestTargetFilter.queryProblem("")).isNull();
        assertThat(RequestTargetFilter.queryProblem("a=1&b=%C3%A9t%C3%A9&c=a+b&d&=x&&_method=%44ELETE"))
                .isNull();
        assertThat(RequestTargetFilter.queryProblem("emoji=%F0%9F%98%80&raw=été&tab=%09"))
                .isNull();
    }

    @Test
    void malformedEscapesAreNamed() {
        assertThat(RequestTargetFilter.queryProblem("_method=%ZZ"))
                .isEqualTo("'%ZZ' is not a percent-encoded byte (% and two hex digits)");
        assertThat(RequestTargetFilter.queryProblem("a=1&status=%"))
                .isEqualTo("'%' is not a percent-encoded byte (% and two hex digits)");
        assertThat(RequestTargetFilter.queryProblem("a=%2"))
                .isEqualTo("'%2' is not a percent-encoded byte (% and two hex digits)");
        assertThat(RequestTargetFilter.queryProblem("%G1=1")).startsWith("'%G1' is not");
        assertThat(RequestTargetFilter.queryProblem("a%=1")).startsWith("'%' is not");
        // digits of other scripts are not hex digits
        assertThat(RequestTargetFilter.queryProblem("a=%\u0663\u0663")).startsWith("'%\u0663\u0663' is not");
    }

    @Test
    void encodedNulAndBytesThatAreNotUtf8AreRefused() {
        assertThat(RequestTargetFilter.queryProblem("status=%00"))
                .isEqualTo("it contains an encoded NUL character (%00)");
        assertThat(RequestTargetFilter.queryProblem("a=%E9")).isEqualTo("its percent-encoded bytes are not UTF-8");
        assertThat(RequestTargetFilter.queryProblem("a=%C3%28")).isEqualTo("its percent-encoded bytes are not UTF-8");
        assertThat(RequestTargetFilter.queryProblem("a=%C3")).isEqualTo("its percent-encoded bytes are not UTF-8");
        // an encoded surrogate is not UTF-8 either
        assertThat(RequestTargetFilter.queryProblem("a=%ED%A0%80"))
                .isEqualTo("its percent-encoded bytes are not UTF-8");
    }

    @Test
    void pathsAreCheckedWholeIncludingTheirParameters() {
        assertThat(RequestTargetFilter.pathProblem("/data/%2Ftmp%2Fx.dat")).isNull();
        assertThat(RequestTargetFilter.pathProblem("/binaries/a;b")).isNull();
        assertThat(RequestTargetFilter.pathProblem("/binaries/a;b%ZZ")).startsWith("'%ZZ' is not");
        assertThat(RequestTargetFilter.pathProblem("/binaries/;x%00"))
                .isEqualTo("it contains an encoded NUL character (%00)");
        assertThat(RequestTargetFilter.pathProblem("/data/%E9")).isEqualTo("its percent-encoded bytes are not UTF-8");
    }
}
