package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.http.ApiException;

/**
 * The contexts declared in the configuration ({@code spark.contexts { name { settings } }}): started in
 * the background when the server starts, and again by {@code PUT /contexts?reset=reboot}, which first
 * stops every listed context. Contexts start one after another: each driver start keeps the CPU busy.
 */
public final class ConfiguredContexts {
    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredContexts.class);

    private final ContextService service;
    private final Config declared;
    private final Config defaults;
    private final Executor executor;

    /**
     * @param declared {@code spark.contexts}
     * @param defaults {@code spark.context-settings}
     * @param executor where the steps run (never a request thread)
     */
    public ConfiguredContexts(ContextService service, Config declared, Config defaults, Executor executor) {
        this.service = requireNonNull(service, "service is null");
        this.declared = requireNonNull(declared, "declared is null");
        this.defaults = requireNonNull(defaults, "defaults is null");
        this.executor = requireNonNull(executor, "executor is null");
    }

    /** The declared names, in the order of the configuration file. */
    List<String> names() {
        return new ArrayList<>(declared.root().keySet());
    }

    /**
     * Starts every declared context that is not already there (a context whose driver re-attached after a
     * restart keeps running). Completes when all have started or failed; a failure is logged, not thrown.
     */
    public CompletableFuture<Void> startAll() {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (String name : names()) {
            chain = chain.thenComposeAsync(
                    ignored -> startOne(name).handle((info, failure) -> {
                        if (failure != null) {
                            LOG.error("Context {} from the configuration did not start: {}", name, reason(failure));
                        }
                        return null;
                    }),
                    executor);
        }
        return chain;
    }

    /**
     * Stops every listed context of this server (waiting until each has ended), then starts the declared
     * ones. The returned future fails with the first declared context that did not start. With other servers
     * on the database, their contexts are theirs to reset.
     */
    public CompletableFuture<Void> reset() {
        List<String> running = service.localNames();
        LOG.info("Resetting contexts: stopping {}, then starting {}", running, names());
        List<CompletableFuture<ContextInfo>> stops = new ArrayList<>();
        for (String name : running) {
            try {
                stops.add(service.stopAndWait(name).exceptionally(failure -> {
                    LOG.debug("Context {} ended before the reset reached it: {}", name, reason(failure));
                    return null;
                }));
            } catch (ApiException e) {
                LOG.debug("Context {} ended before the reset reached it", name);
            }
        }
        CompletableFuture<Void> chain = CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new));
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String name : names()) {
            chain = chain.thenComposeAsync(
                    ignored -> startOne(name).handle((info, failure) -> {
                        if (failure != null) {
                            LOG.error(
                                    "Context {} from the configuration did not start after the reset: {}",
                                    name,
                                    reason(failure));
                            failures.add(failure);
                        }
                        return null;
                    }),
                    executor);
        }
        return chain.thenRun(() -> {
            if (!failures.isEmpty()) {
                throw new CompletionException(failures.get(0));
            }
        });
    }

    private CompletableFuture<ContextInfo> startOne(String name) {
        if (service.listNames().contains(name)) {
            LOG.info("Context {} from the configuration is already running", name);
            return CompletableFuture.completedFuture(service.get(name));
        }
        try {
            Config settings = declared.getConfig(ConfigUtil.joinPath(name))
                    .withFallback(defaults)
                    .resolve();
            LOG.info("Starting context {} from the configuration", name);
            return service.start(name, settings, false);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String reason(Throwable failure) {
        Throwable cause = ApiException.causeOf(failure);
        return cause.getMessage();
    }
}
