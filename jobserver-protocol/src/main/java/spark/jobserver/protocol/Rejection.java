package spark.jobserver.protocol;

/** Why a driver refused to start a job before running any of its code. */
public enum Rejection {
    /** The class is not on the context's class path. */
    CLASS_NOT_FOUND,
    /** The class is no job, or not one this context's factory can run. */
    INVALID_JOB_TYPE,
    /** The class or one of its binaries could not be loaded. */
    LOADING_FAILED,
    /** The context already runs as many jobs as it may. */
    NO_SLOTS,
    /** The context is stopping. */
    CONTEXT_STOPPING
}
