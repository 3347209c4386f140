package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.Rejection;

class JobLoaderTest {
    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void aScalaObjectIsItsSingleInstance() throws Exception {
        Object job = JobLoader.load("spark.jobserver.driver.TestJobs$ObjectJob", loader);
        assertThat(job).isSameAs(TestJobs.ObjectJob$.MODULE$);
        assertThat(JobLoader.load("spark.jobserver.driver.TestJobs$ObjectJob", loader)).isSameAs(job);
    }

    @Test
    void aClassIsInstantiatedAfreshForEveryJob() throws Exception {
        Object first = JobLoader.load(TestJobs.Legacy.class.getName(), loader);
        Object second = JobLoader.load(TestJobs.Legacy.class.getName(), loader);
        assertThat(first).isInstanceOf(TestJobs.Legacy.class).isNotSameAs(second);
    }

    @Test
    void aMissingClassIsClassNotFound() {
        assertThatThrownBy(() -> JobLoader.load("no.such.Job", loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Rejection.CLASS_NOT_FOUND);
                    assertThat(e.error().message()).isEqualTo("classPath no.such.Job not found");
                    assertThat(e.error().errorClass()).isEqualTo("java.lang.ClassNotFoundException");
                });
        assertThatThrownBy(() -> JobLoader.load("", loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .extracting(JobRejectedException::reason).isEqualTo(Rejection.CLASS_NOT_FOUND);
    }

    @Test
    void aClassThatCannotBeInstantiatedFailsLoading() {
        assertThatThrownBy(() -> JobLoader.load(TestJobs.NoDefaultConstructor.class.getName(), loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Rejection.LOADING_FAILED);
                    assertThat(e.error().message()).contains("no public no-argument constructor");
                });
        assertThatThrownBy(() -> JobLoader.load(DriverConfig.class.getName(), loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .extracting(JobRejectedException::reason).isEqualTo(Rejection.LOADING_FAILED);
    }

    @Test
    void aClassWhoseInitializerThrowsFailsLoading() {
        assertThatThrownBy(() -> JobLoader.load(TestJobs.BrokenInit.class.getName(), loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Rejection.LOADING_FAILED);
                    assertThat(e.error().message()).contains(TestJobs.BrokenInit.class.getName());
                    assertThat(e.error().stack()).contains("NumberFormatException");
                });
    }
}
