package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A YARN ResourceManager's REST API ({@code /ws/v1/cluster}), as far as the server needs it: an application's
 * state, and killing it ({@code PUT /ws/v1/cluster/apps/<id>/state}). The address is the one the context's
 * spark-submit uses: {@code yarn-site.xml} of {@code HADOOP_CONF_DIR} (else {@code YARN_CONF_DIR}), under the
 * context's {@code spark.hadoop.*} settings; with ResourceManager HA every ResourceManager is tried in turn.
 * Requests name the user ({@code user.name}), as the ResourceManager's simple (pseudo) authentication wants:
 * it refuses changes from its anonymous static user. A Kerberos (SPNEGO) protected API is not supported.
 */
final class ResourceManagerClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}$\\s]+)}");
    private static final Set<String> FINAL_STATES = Set.of("FINISHED", "FAILED", "KILLED");

    private final List<URI> webapps;
    private final String user;
    private final Duration killWait;
    private final HttpClient http;

    /**
     * @param webapps the ResourceManagers' web addresses ({@code http://host:8088}), tried in order
     * @param user who the requests are made as ({@code user.name})
     * @param killWait how long a kill waits for YARN to report the application ended
     */
    ResourceManagerClient(List<URI> webapps, String user, Duration killWait) {
        if (webapps.isEmpty()) {
            throw new IllegalArgumentException("no ResourceManager address");
        }
        this.webapps = List.copyOf(webapps);
        this.user = requireNonNull(user, "user is null");
        this.killWait = requireNonNull(killWait, "killWait is null");
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /**
     * The client of the ResourceManager a context's spark-submit talks to.
     *
     * @param env the environment of the context's spark-submit ({@code HADOOP_CONF_DIR}, {@code YARN_CONF_DIR},
     *     {@code HADOOP_USER_NAME})
     * @param sparkConf the context's Spark settings ({@code spark.hadoop.*} override the files)
     * @param proxyUser the context's {@code spark.proxy.user}, or blank
     */
    static ResourceManagerClient forContext(Map<String, String> env, Map<String, String> sparkConf, String proxyUser)
            throws IOException {
        String user = !proxyUser.isBlank()
                ? proxyUser
                : env.getOrDefault("HADOOP_USER_NAME", System.getProperty("user.name"));
        return new ResourceManagerClient(webapps(hadoopConf(env, sparkConf)), user, Duration.ofSeconds(30));
    }

    /**
     * The Hadoop settings of a context as its spark-submit loads them: {@code core-site.xml} and
     * {@code yarn-site.xml} of the first of {@code HADOOP_CONF_DIR}, {@code YARN_CONF_DIR} that has them (the
     * order of spark-submit's class path), then the context's {@code spark.hadoop.*} settings.
     */
    static Map<String, String> hadoopConf(Map<String, String> env, Map<String, String> sparkConf) throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        for (String file : List.of("core-site.xml", "yarn-site.xml")) {
            for (String dir : List.of("HADOOP_CONF_DIR", "YARN_CONF_DIR")) {
                String path = env.getOrDefault(dir, "");
                if (!path.isBlank() && Files.isRegularFile(Path.of(path, file))) {
                    conf.putAll(readSiteXml(Path.of(path, file)));
                    break;
                }
            }
        }
        sparkConf.forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                conf.put(k.substring("spark.hadoop.".length()), v);
            }
        });
        Map<String, String> resolved = new LinkedHashMap<>();
        conf.forEach((k, v) -> resolved.put(k, substitute(v, conf, env)));
        return resolved;
    }

    /** The properties of a Hadoop {@code *-site.xml}. */
    static Map<String, String> readSiteXml(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            Document doc = factory.newDocumentBuilder().parse(in);
            Map<String, String> props = new LinkedHashMap<>();
            NodeList properties = doc.getElementsByTagName("property");
            for (int i = 0; i < properties.getLength(); i++) {
                Element p = (Element) properties.item(i);
                String name = text(p, "name");
                if (name != null) {
                    String value = text(p, "value");
                    props.put(name.strip(), value == null ? "" : value.strip());
                }
            }
            return props;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    /** Hadoop's {@code ${name}} and {@code ${env.NAME}} expansion (a bounded number of rounds, as Hadoop's). */
    private static String substitute(String value, Map<String, String> conf, Map<String, String> env) {
        String current = value;
        for (int round = 0; round < 20; round++) {
            Matcher m = VARIABLE.matcher(current);
            StringBuilder out = new StringBuilder();
            boolean changed = false;
            while (m.find()) {
                String name = m.group(1);
                String replacement = name.startsWith("env.") ? env.get(name.substring(4)) : conf.get(name);
                if (replacement == null) {
                    replacement = DEFAULTS.get(name);
                }
                if (replacement != null) {
                    changed = true;
                    m.appendReplacement(out, Matcher.quoteReplacement(replacement));
                } else {
                    m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                }
            }
            m.appendTail(out);
            current = out.toString();
            if (!changed) {
                break;
            }
        }
        return current;
    }

    /** yarn-default.xml's values of what the web addresses are built from. */
    private static final Map<String, String> DEFAULTS = Map.of("yarn.resourcemanager.hostname", "0.0.0.0");

    /**
     * The ResourceManagers' web addresses, as YARN's own clients find them: {@code yarn.http.policy} picks
     * {@code webapp.address} or {@code webapp.https.address}; with {@code yarn.resourcemanager.ha.enabled}
     * one per {@code ha.rm-ids}; without an address, {@code yarn.resourcemanager.hostname} and the default
     * port (8088, 8090 for HTTPS).
     */
    static List<URI> webapps(Map<String, String> conf) {
        boolean https = conf.getOrDefault("yarn.http.policy", "HTTP_ONLY")
                .strip()
                .toUpperCase(Locale.ROOT)
                .equals("HTTPS_ONLY");
        String key = https ? "yarn.resourcemanager.webapp.https.address" : "yarn.resourcemanager.webapp.address";
        String port = https ? "8090" : "8088";
        List<String> ids = new ArrayList<>();
        if (Boolean.parseBoolean(conf.getOrDefault("yarn.resourcemanager.ha.enabled", "false"))) {
            for (String id :
                    conf.getOrDefault("yarn.resourcemanager.ha.rm-ids", "").split(",")) {
                if (!id.isBlank()) {
                    ids.add("." + id.strip());
                }
            }
        }
        if (ids.isEmpty()) {
            ids.add("");
        }
        List<URI> uris = new ArrayList<>();
        for (String id : ids) {
            String address = conf.get(key + id);
            if (address == null || address.isBlank()) {
                String host = conf.getOrDefault(
                        "yarn.resourcemanager.hostname" + id, conf.getOrDefault("yarn.resourcemanager.hostname", ""));
                address = (host.isBlank() ? "0.0.0.0" : host.strip()) + ":" + port;
            }
            uris.add(URI.create((https ? "https://" : "http://") + address.strip()));
        }
        return uris;
    }

    List<URI> webapps() {
        return webapps;
    }

    String user() {
        return user;
    }

    /** The application's state ({@code NEW}, ..., {@code RUNNING}, {@code FINISHED}, {@code FAILED}, {@code KILLED}). */
    String state(String applicationId) throws IOException {
        HttpResponse<String> reply =
                send(applicationId, HttpRequest.newBuilder().GET());
        if (reply.statusCode() != 200) {
            throw new IOException("the ResourceManager answered " + reply.statusCode() + " for the state of "
                    + applicationId + ": " + reply.body());
        }
        return JSON.readTree(reply.body()).path("state").asText();
    }

    /**
     * Asks YARN to kill the application, and waits until it reports it ended (KILLED, or FINISHED/FAILED when it
     * ended first).
     *
     * @return the state YARN reports in the end
     * @throws IOException when no ResourceManager took the request, or the application did not end in time
     */
    String kill(String applicationId) throws IOException {
        HttpResponse<String> reply = send(
                applicationId,
                HttpRequest.newBuilder()
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"state\":\"KILLED\"}")));
        if (reply.statusCode() != 200 && reply.statusCode() != 202) {
            throw new IOException("the ResourceManager refused to kill " + applicationId + " (" + reply.statusCode()
                    + "): " + reply.body());
        }
        Instant deadline = Instant.now().plus(killWait);
        String state = JSON.readTree(reply.body()).path("state").asText();
        while (!FINAL_STATES.contains(state)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IOException(applicationId + " is still " + state + " " + killWait.toSeconds()
                        + " s after YARN was asked to kill it");
            }
            pause();
            state = state(applicationId);
        }
        return state;
    }

    /** Sends to each ResourceManager in turn, until one answers other than with a connection failure or a 5xx. */
    private HttpResponse<String> send(String applicationId, HttpRequest.Builder request) throws IOException {
        IOException last = null;
        for (URI webapp : webapps) {
            URI uri = URI.create(
                    webapp + "/ws/v1/cluster/apps/" + URLEncoder.encode(applicationId, StandardCharsets.UTF_8)
                            + "/state?user.name=" + URLEncoder.encode(user, StandardCharsets.UTF_8));
            try {
                HttpResponse<String> reply = http.send(
                        request.copy()
                                .uri(uri)
                                .header("Accept", "application/json")
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (reply.statusCode() < 500) {
                    return reply;
                }
                last = new IOException(webapp + " answered " + reply.statusCode() + ": " + reply.body());
            } catch (IOException e) {
                last = new IOException("cannot reach the ResourceManager at " + webapp + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking the ResourceManager", e);
            }
        }
        throw last;
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(250); // polling YARN's state: it has no way to notify
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for YARN to kill the application", e);
        }
    }

    /** What the server tells in logs: the addresses and the user. */
    @Override
    public String toString() {
        return "ResourceManagerClient[" + webapps + " as " + user + "]";
    }
}
