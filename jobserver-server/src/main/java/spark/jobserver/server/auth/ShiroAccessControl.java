package spark.jobserver.server.auth;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.apache.shiro.authc.AuthenticationException;
import org.apache.shiro.authc.UsernamePasswordToken;
import org.apache.shiro.authz.AuthorizationException;
import org.apache.shiro.env.BasicIniEnvironment;
import org.apache.shiro.mgt.SecurityManager;
import org.apache.shiro.subject.Subject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Shiro configured by an ini file ({@code access-control.shiro.config.path}): users and roles in
 * the file, or an LDAP realm ({@code org.apache.shiro.realm.ldap.JndiLdapRealm},
 * {@code spark.jobserver.auth.LdapGroupRealm}). A user holds a permission when Shiro says it is permitted
 * or when it has a role named like the permission; none of them → ALLOW_ALL, as in the original.
 * No static state: each check builds its own subject from this provider's security manager.
 */
final class ShiroAccessControl implements AccessControl {
    private static final Logger LOG = LoggerFactory.getLogger(ShiroAccessControl.class);
    private final SecurityManager securityManager;

    ShiroAccessControl(Path iniFile) {
        this.securityManager = new BasicIniEnvironment(iniFile.toString()).getSecurityManager();
    }

    @Override
    public boolean requiresCredentials() {
        return true;
    }

    @Override
    public Optional<AuthUser> authenticate(String user, String password) {
        Subject subject = new Subject.Builder(securityManager).buildSubject();
        try {
            subject.login(new UsernamePasswordToken(user, password));
            Set<Permission> granted = EnumSet.noneOf(Permission.class);
            for (Permission p : Permission.values()) {
                if (subject.isPermitted(p.id()) || subject.hasRole(p.id())) {
                    granted.add(p);
                }
            }
            return Optional.of(new AuthUser(String.valueOf(subject.getPrincipal()), granted));
        } catch (AuthorizationException e) {
            LOG.info("Access denied to user [{}]: {}", user, e.getMessage());
            return Optional.empty();
        } catch (AuthenticationException e) {
            LOG.info("Access denied to user [{}]: {}", user, e.getClass().getSimpleName());
            return Optional.empty();
        } finally {
            try {
                subject.logout();
            } catch (RuntimeException e) {
                LOG.debug("Shiro logout failed", e);
            }
        }
    }
}
