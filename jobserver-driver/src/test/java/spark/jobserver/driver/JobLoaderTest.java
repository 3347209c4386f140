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
        Object job = new JobLoader().load("spark.jobserver.driver.TestJobs$ObjectJob", loader);
        assertThat(job).isSameAs(TestJobs.ObjectJob$.MODULE$);
        assertThat(new JobLoader().load("spark.jobserver.driver.TestJobs$ObjectJob", loader))
                .isSameAs(job);
    }

    @Test
    void aTopLevelScalaObjectIsItsModule() throws Exception {
        assertThat(new JobLoader().load("spark.jobserver.driver.WordCountObject", loader))
                .isSameAs(WordCountObject$.MODULE$);
    }

    @Test
    void aClassIsInstantiatedAfreshForEveryJob() throws Exception {
        Object first = new JobLoader().load(TestJobs.Legacy.class.getName(), loader);
        Object second = new JobLoader().load(TestJobs.Legacy.class.getName(), loader);
        assertThat(first).isInstanceOf(TestJobs.Legacy.class).isNotSameAs(second);
    }

    @Test
    void aCompanionObjectThatIsNoJobLeavesTheJobToItsClass() throws Exception {
        Object first = new JobLoader().load(TestJobs.WithCompanion.class.getName(), loader);
        Object second = new JobLoader().load(TestJobs.WithCompanion.class.getName(), loader);
        assertThat(first).isInstanceOf(TestJobs.WithCompanion.class).isNotSameAs(second);
    }

    @Test
    void aMissingClassIsClassNotFound() {
        assertThatThrownBy(() -> new JobLoader().load("no.such.Job", loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Rejection.CLASS_NOT_FOUND);
                    assertThat(e.error().message()).isEqualTo("classPath no.such.Job not found");
                    assertThat(e.error().errorClass()).isEqualTo("java.lang.ClassNotFoundException");
                });
        assertThatThrownBy(() -> new JobLoader().load("", loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .extracting(JobRejectedException::reason)
                .isEqualTo(Rejection.CLASS_NOT_FOUND);
    }

    @Test
    void aClassThatCannotBeInstantiatedFailsLoading() {
        assertThatThrownBy(() -> new JobLoader().load(TestJobs.NoDefaultConstructor.class.getName(), loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Rejection.LOADING_FAILED);
                    assertThat(e.error().message()).contains("no public no-argument constructor");
                });
        assertThatThrownBy(() -> new JobLoader().load(DriverConfig.class.getName(), loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .extracting(JobRejectedException::reason)
                .isEqualTo(Rejection.LOADING_FAILED);
    }

    @Test
    void aClassWhoseInitializerThrowsFailsLoading() {
        assertThatThrownBy(() -> new JobLoader().load(TestJobs.BrokenInit.class.getName(), loader))
                .asInstanceOf(InstanceOfAssertFactories.type(JobRejectedException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Rejection.LOADING_FAILED);
                    assertThat(e.error().message()).contains(TestJobs.BrokenInit.class.getName());
                    assertThat(e.error().stack()).contains("NumberFormatException");
                });
    }

    @Test
    void aMissingScalaObjectIsLookedForOnceWhileTheClassPathIsUnchanged() throws Exception {
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (java.net.URLClassLoader counting =
                new java.net.URLClassLoader(new java.net.URL[0], getClass().getClassLoader()) {
                    @Override
                    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                        asked.add(name);
                        return super.loadClass(name, resolve);
                    }
                }) {
            JobLoader jobs = new JobLoader();
            jobs.load(TestJobs.Legacy.class.getName(), counting);
            jobs.load(TestJobs.Legacy.class.getName(), counting);
            assertThat(asked).filteredOn(n -> n.endsWith("$")).hasSize(1);
        }
    }
}
