package spark.jobserver.server;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import spark.jobserver.server.config.ServerConfig;

/** {@code bin/jobserver [-c my.conf]}: runs the server in the foreground until interrupted. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c", "--config" -> {
                    if (i + 1 >= args.length) {
                        usage("missing file after " + args[i]);
                    }
                    configFile = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    System.out.println("usage: jobserver [-c my.conf]");
                    return;
                }
                default -> {
                    if (args[i].endsWith(".conf") && configFile == null) {
                        configFile = Path.of(args[i]);
                    } else {
                        usage("unknown argument " + args[i]);
                    }
                }
            }
        }
        ServerConfig config;
        try {
            config = ServerConfig.load(configFile);
        } catch (RuntimeException e) {
            System.err.println("jobserver: " + e.getMessage());
            System.exit(2);
            return;
        }
        JobServer server;
        try {
            server = JobServer.create(config).start();
        } catch (RuntimeException e) {
            System.err.println("jobserver: could not start: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
            return;
        }
        String host = config.bindAddress().equals("0.0.0.0") ? "localhost" : config.bindAddress();
        System.out.println("Spark Job Server " + JobServer.version() + " is listening on " + server.scheme() + "://"
                + host + ":" + server.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "jobserver-shutdown"));
        stopped.await();
    }

    private static void usage(String problem) {
        System.err.println("jobserver: " + problem + "\nusage: jobserver [-c my.conf]");
        System.exit(2);
    }
}
