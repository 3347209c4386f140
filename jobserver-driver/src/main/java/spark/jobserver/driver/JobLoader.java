package spark.jobserver.driver;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import spark.jobserver.api.SparkJobBase;
import spark.jobserver.japi.BaseJavaJob;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Rejection;

/**
 * Finds a job by class name, as the original did: a Scala {@code object} ({@code <name>$.MODULE$}, the
 * same instance for every run) first, else a new instance of a public class with a public no-argument
 * constructor. An object that is not a job (the companion of a job class, say) leaves the job to its class.
 */
final class JobLoader {
    /**
     * Names known to have no Scala object that is a job, with the number of jars on the context class path when that was
     * found. Looking for {@code <name>$} misses through every jar of the Spark runtime (about 170) on each
     * job of a Java class, the driver's hottest spot under small jobs; a jar added since may bring the
     * object, hence the count.
     */
    private final Map<String, Integer> notObjects = new ConcurrentHashMap<>();

    /**
     * The job object named {@code classPath}.
     *
     * @throws JobRejectedException {@link Rejection#CLASS_NOT_FOUND} when there is no such class,
     *     {@link Rejection#LOADING_FAILED} when it cannot be loaded or instantiated
     */
    Object load(String classPath, ClassLoader loader) throws JobRejectedException {
        if (classPath == null || classPath.isBlank()) {
            throw new JobRejectedException(
                    Rejection.CLASS_NOT_FOUND,
                    ErrorInfo.of("classPath " + classPath + " not found", ClassNotFoundException.class.getName()));
        }
        try {
            Object module = scalaObject(classPath, loader);
            if (module != null) {
                return module;
            }
            return newInstance(Class.forName(classPath, true, loader));
        } catch (ClassNotFoundException e) {
            throw notFound(classPath, e);
        } catch (NoClassDefFoundError e) {
            // Thrown for the class itself when its file holds another class (e.g. a name whose case
            // differs); a missing dependency of the class is a loading failure.
            if (isAbout(e, classPath)) {
                throw notFound(classPath, e);
            }
            throw loadingFailed(classPath, e);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw loadingFailed(
                    classPath,
                    e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e);
        }
    }

    /** The Scala object {@code classPath}, or null when there is none by that name. */
    private Object scalaObject(String classPath, ClassLoader loader) throws IllegalAccessException {
        int jars = loader instanceof URLClassLoader urls ? urls.getURLs().length : -1;
        if (jars >= 0 && Integer.valueOf(jars).equals(notObjects.get(classPath))) {
            return null;
        }
        Class<?> moduleClass;
        try {
            moduleClass = Class.forName(classPath + "$", true, loader);
        } catch (ClassNotFoundException e) {
            notObjects.put(classPath, jars);
            return null;
        }
        Field module;
        try {
            module = moduleClass.getField("MODULE$");
        } catch (NoSuchFieldException e) {
            // A Java class whose name happens to end in $: not a Scala object.
            return null;
        }
        if (!Modifier.isStatic(module.getModifiers())) {
            return null;
        }
        Object object = module.get(null);
        if (!(object instanceof SparkJobBase || object instanceof BaseJavaJob<?, ?>)) {
            notObjects.put(classPath, jars);
            return null;
        }
        return object;
    }

    private static Object newInstance(Class<?> jobClass) throws ReflectiveOperationException, JobRejectedException {
        if (!Modifier.isPublic(jobClass.getModifiers()) || Modifier.isAbstract(jobClass.getModifiers())) {
            throw new JobRejectedException(
                    Rejection.LOADING_FAILED,
                    ErrorInfo.of(
                            "Job class " + jobClass.getName() + " must be a public, non-abstract class",
                            InstantiationException.class.getName()));
        }
        Constructor<?> constructor;
        try {
            constructor = jobClass.getConstructor();
        } catch (NoSuchMethodException e) {
            throw JobRejectedException.of(
                    Rejection.LOADING_FAILED,
                    "Job class " + jobClass.getName() + " has no public no-argument constructor",
                    e);
        }
        return constructor.newInstance();
    }

    private static boolean isAbout(NoClassDefFoundError e, String classPath) {
        String message = e.getMessage();
        if (message == null) {
            return false;
        }
        String internal = classPath.replace('.', '/');
        return message.equals(classPath)
                || message.equals(internal)
                || message.startsWith(internal + " ")
                || message.contains("wrong name: " + internal)
                || message.startsWith(classPath + " ");
    }

    private static JobRejectedException notFound(String classPath, Throwable cause) {
        return JobRejectedException.of(Rejection.CLASS_NOT_FOUND, "classPath " + classPath + " not found", cause);
    }

    private static JobRejectedException loadingFailed(String classPath, Throwable cause) {
        return JobRejectedException.of(
                Rejection.LOADING_FAILED, "Failed to load job class " + classPath + ": " + cause, cause);
    }
}
