package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shiro's LDAP realms against a real (in-memory) directory server: plain JNDI binds, and the original's
 * {@code spark.jobserver.auth.LdapGroupRealm} configured exactly as its README shows, admitting only
 * members of the allowed groups.
 */
class ShiroLdapIT {
    static final String BASE = "dc=example,dc=org";
    static InMemoryDirectoryServer ldap;
    static Path dir;

    @BeforeAll
    static void startDirectory() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setSchema(null); // the original's default group filter asks for posixGroups with 'member'
        config.setListenerConfigs(
                InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
        ldap = new InMemoryDirectoryServer(config);
        ldap.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
        ldap.add("dn: ou=people," + BASE, "objectClass: organizationalUnit", "ou: people");
        ldap.add("dn: ou=groups," + BASE, "objectClass: organizationalUnit", "ou: groups");
        for (String user : new String[] {"alice", "bob", "carol"}) {
            ldap.add(
                    "dn: cn=" + user + ",ou=people," + BASE,
                    "objectClass: person",
                    "cn: " + user,
                    "sn: " + user,
                    "userPassword: " + user + "pw");
        }
        group("group1", "alice");
        group("group2", "carol");
        group("outsiders", "bob");
        ldap.startListening();
        dir = Files.createTempDirectory("shiro-ldap");
    }

    private static void group(String name, String member) throws Exception {
        ldap.add(
                "dn: cn=" + name + ",ou=groups," + BASE,
                "objectClass: posixGroup",
                "cn: " + name,
                "gidNumber: 1",
                "member: cn=" + member + ",ou=people," + BASE);
    }

    @AfterAll
    static void stopDirectory() {
        if (ldap != null) {
            ldap.shutDown(true);
        }
        if (dir != null) {
            TlsKeys.deleteTree(dir);
        }
    }

    private static TestingJobServer serverWith(String iniText) throws Exception {
        Path ini = Files.createTempFile(dir, "shiro", ".ini");
        Files.writeString(ini, iniText);
        return TestingJobServer.start("access-control.provider = spark.jobserver.auth.ShiroAccessControl\n"
                + "access-control.shiro.config.path = \"" + ini + "\"\n");
    }

    private static String url() {
        return "ldap://127.0.0.1:" + ldap.getListenPort();
    }

    @Test
    void jndiLdapRealmBindsAsTheUser() throws Exception {
        try (TestingJobServer server = serverWith("[main]\n"
                + "ldapRealm = org.apache.shiro.realm.ldap.JndiLdapRealm\n"
                + "ldapRealm.userDnTemplate = cn={0},ou=people," + BASE + "\n"
                + "ldapRealm.contextFactory.url = " + url() + "\n")) {
            SecureClient http = SecureClient.to(server.baseUrl(), null);
            assertThat(http.as("alice", "alicepw").get("/binaries").status()).isEqualTo(200);
            // LDAP users have no permission roles: ALLOW_ALL, as in the original
            assertThat(http.as("bob", "bobpw").delete("/jobs/none").status()).isEqualTo(404);
            assertThat(http.as("alice", "wrong").get("/binaries").status()).isEqualTo(401);
            assertThat(http.as("mallory", "x").get("/binaries").status()).isEqualTo(401);
            // an empty password would be an anonymous bind: never a login
            assertThat(http.as("alice", "").get("/binaries").status()).isEqualTo(401);
        }
    }

    @Test
    void ldapGroupRealmAdmitsOnlyMembersOfAllowedGroups() throws Exception {
        // the original README's configuration, verbatim but for the addresses
        try (TestingJobServer server = serverWith("[main]\n"
                + "activeDirectoryRealm = spark.jobserver.auth.LdapGroupRealm\n"
                + "activeDirectoryRealm.contextFactory.environment[ldap.searchBase] = " + BASE + "\n"
                + "activeDirectoryRealm.contextFactory.environment[ldap.allowedGroups] = \"cn=group1,ou=groups\", \"cn=group2,ou=groups\"\n"
                + "activeDirectoryRealm.contextFactory.url = " + url() + "\n"
                + "activeDirectoryRealm.userDnTemplate = cn={0},ou=people," + BASE + "\n"
                + "cacheManager = org.apache.shiro.cache.MemoryConstrainedCacheManager\n"
                + "securityManager.cacheManager = $cacheManager\n")) {
            SecureClient http = SecureClient.to(server.baseUrl(), null);
            assertThat(http.as("alice", "alicepw").get("/binaries").status()).isEqualTo(200);
            assertThat(http.as("carol", "carolpw").get("/contexts").status()).isEqualTo(200);
            // right password, wrong group
            assertThat(http.as("bob", "bobpw").get("/binaries").status()).isEqualTo(401);
            assertThat(http.as("alice", "wrong").get("/binaries").status()).isEqualTo(401);
        }
    }
}
