package spark.jobserver.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MethodOverrideFilterTest {

    @Test
    void readsTheMethodFromTheQueryStringOnly() {
        assertThat(MethodOverrideFilter.methodParam("_method=DELETE")).isEqualTo("DELETE");
        assertThat(MethodOverrideFilter.methodParam("a=1&_method=put&b")).isEqualTo("put");
        assertThat(MethodOverrideFilter.methodParam("a=1")).isNull();
        assertThat(MethodOverrideFilter.methodParam(null)).isNull();
        assertThat(MethodOverrideFilter.methodParam("%5Fmethod=DELETE")).isEqualTo("DELETE");
    }
}
