package spark.jobserver.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LdapGroupRealmTest {

    @Test
    void allowedGroupsAreACommaListWithQuotedDns() {
        assertThat(LdapGroupRealm.parseGroups("\"cn=group1,ou=groups\", \"cn=group2,ou=groups\""))
                .containsExactly("cn=group1,ou=groups", "cn=group2,ou=groups");
        assertThat(LdapGroupRealm.parseGroups("admins, users ,, ")).containsExactly("admins", "users");
        assertThat(LdapGroupRealm.parseGroups("")).isEmpty();
    }

    @Test
    void aDnStandsForItsFirstValue() {
        assertThat(LdapGroupRealm.groupName("cn=group1,ou=groups")).isEqualTo("group1");
        assertThat(LdapGroupRealm.groupName("admins")).isEqualTo("admins");
        assertThat(LdapGroupRealm.groupName("not=a=dn,,")).isEqualTo("not=a=dn,,");
    }
}
