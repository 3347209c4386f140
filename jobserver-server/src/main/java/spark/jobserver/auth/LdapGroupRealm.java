package spark.jobserver.auth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.LdapName;
import org.apache.shiro.authz.AuthorizationException;
import org.apache.shiro.authz.AuthorizationInfo;
import org.apache.shiro.authz.SimpleAuthorizationInfo;
import org.apache.shiro.realm.ldap.JndiLdapContextFactory;
import org.apache.shiro.realm.ldap.JndiLdapRealm;
import org.apache.shiro.realm.ldap.LdapContextFactory;
import org.apache.shiro.realm.ldap.LdapUtils;
import org.apache.shiro.subject.PrincipalCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Shiro LDAP realm that admits only members of allowed groups, under the class name the original's
 * {@code shiro.ini} files use. Configured in the ini file through the context factory's environment:
 * {@code ldap.searchBase} (where users and groups are searched) and {@code ldap.allowedGroups} (a comma
 * list; quoted entries and DNs such as {@code "cn=group1,ou=groups"} are accepted, a DN standing for its
 * first value). After the bind succeeds, the user is looked up with {@link #setUserSearchFilter} ({0} =
 * user name) and each allowed group with {@link #setGroupSearchFilter} ({0} = group, {1} = user name,
 * {2} = user DN). A user in none of them is refused; the groups found become the user's roles.
 */
public class LdapGroupRealm extends JndiLdapRealm {
    private static final Logger LOG = LoggerFactory.getLogger(LdapGroupRealm.class);
    static final String NO_VALID_GROUP = "no valid group found";
    static final String AUTHORIZATION_FAILED = "user authorization failed";

    private String userSearchFilter = "(&(objectClass=person)(CN={0}))";
    private String groupSearchFilter = "(&(member={2})(objectClass=posixGroup)(CN={0}))";

    public String getUserSearchFilter() {
        return userSearchFilter;
    }

    public void setUserSearchFilter(String userSearchFilter) {
        this.userSearchFilter = userSearchFilter;
    }

    public String getGroupSearchFilter() {
        return groupSearchFilter;
    }

    public void setGroupSearchFilter(String groupSearchFilter) {
        this.groupSearchFilter = groupSearchFilter;
    }

    @Override
    protected AuthorizationInfo queryForAuthorizationInfo(PrincipalCollection principals, LdapContextFactory factory)
            throws NamingException {
        String user = String.valueOf(getAvailablePrincipal(principals));
        LdapContext ldap = factory.getSystemLdapContext();
        try {
            String searchBase = environment(factory, "ldap.searchBase");
            String userDn = findUser(ldap, searchBase, user);
            if (userDn == null) {
                throw new AuthorizationException(AUTHORIZATION_FAILED);
            }
            Set<String> groups = new LinkedHashSet<>();
            for (String group : allowedGroups(factory)) {
                if (exists(ldap, searchBase, groupSearchFilter, new Object[] {groupName(group), user, userDn})) {
                    groups.add(group);
                }
            }
            if (groups.isEmpty()) {
                throw new AuthorizationException(NO_VALID_GROUP);
            }
            return new SimpleAuthorizationInfo(groups);
        } finally {
            LdapUtils.closeContext(ldap);
        }
    }

    private String findUser(LdapContext ldap, String searchBase, String user) throws NamingException {
        NamingEnumeration<SearchResult> found =
                ldap.search(searchBase, userSearchFilter, new Object[] {user}, subtree());
        try {
            if (!found.hasMore()) {
                return null;
            }
            SearchResult first = found.next();
            try {
                return first.getNameInNamespace();
            } catch (UnsupportedOperationException e) {
                return first.getName();
            }
        } finally {
            found.close();
        }
    }

    private static boolean exists(LdapContext ldap, String base, String filter, Object[] args) throws NamingException {
        NamingEnumeration<SearchResult> found = ldap.search(base, filter, args, subtree());
        try {
            return found.hasMore();
        } finally {
            found.close();
        }
    }

    private static SearchControls subtree() {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        return controls;
    }

    /** The group's name for the filter's {0}: the value of the first RDN of a DN, else the entry as given. */
    static String groupName(String group) {
        if (group.contains("=")) {
            try {
                LdapName dn = new LdapName(group);
                if (!dn.isEmpty()) {
                    return String.valueOf(dn.getRdn(dn.size() - 1).getValue());
                }
            } catch (NamingException | IllegalArgumentException e) {
                LOG.debug("Allowed group {} is not a DN; used as given", group);
            }
        }
        return group;
    }

    /** The comma list of allowed groups; double quotes group an entry that contains commas. */
    static List<String> parseGroups(String value) {
        List<String> groups = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : value.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                add(groups, current);
            } else {
                current.append(c);
            }
        }
        add(groups, current);
        return groups;
    }

    private static void add(List<String> groups, StringBuilder current) {
        String g = current.toString().trim();
        if (!g.isEmpty()) {
            groups.add(g);
        }
        current.setLength(0);
    }

    private static List<String> allowedGroups(LdapContextFactory factory) {
        List<String> groups = parseGroups(environment(factory, "ldap.allowedGroups"));
        if (groups.isEmpty()) {
            throw new AuthorizationException("Configuration error: ldap.allowedGroups names no group");
        }
        return groups;
    }

    private static String environment(LdapContextFactory factory, String key) {
        if (factory instanceof JndiLdapContextFactory jndi) {
            Map<String, Object> env = jndi.getEnvironment();
            Object value = env == null ? null : env.get(key);
            if (value != null) {
                return value.toString();
            }
        }
        throw new AuthorizationException("Configuration error: LdapGroupRealm requires the parameter '" + key + "'");
    }
}
