package io.fjord.broker.network.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.config.ConfigException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Kafka's {@code ssl.principal.mapping.rules}, with the examples of Kafka's security documentation. */
class SslPrincipalMapperTest {
    private static final String KEY = "ssl.principal.mapping.rules";
    /** Kafka's documented example rules. */
    private static final String DOCUMENTED = "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,"
            + "RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,"
            + "RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L,"
            + "DEFAULT";

    @Test
    void theDocumentedRulesMapNamesAsKafkaDocumentsThem() {
        SslPrincipalMapper mapper = SslPrincipalMapper.parse(DOCUMENTED, KEY);

        assertThat(mapper.map("CN=serviceuser,OU=ServiceUsers,O=Unknown,L=Unknown,ST=Unknown,C=Unknown"))
                .contains("serviceuser");
        assertThat(mapper.map("CN=adminUser,OU=Admin,O=Unknown,L=Unknown,ST=Unknown,C=Unknown"))
                .contains("adminuser@admin");
        assertThat(mapper.map("OU=Something,CN=Mixed.Case")).contains("mixed.case");
        assertThat(mapper.map("O=NoCommonName")).contains("O=NoCommonName");
    }

    @Test
    void defaultKeepsTheDistinguishedName() {
        assertThat(SslPrincipalMapper.parse("DEFAULT", KEY).map("CN=alice,OU=Clients,O=Fjord"))
                .contains("CN=alice,OU=Clients,O=Fjord");
        assertThat(SslPrincipalMapper.parse("", KEY).map("CN=alice")).contains("CN=alice");
    }

    @Test
    void upperCaseFlagAndRulesOnSeveralLines() {
        SslPrincipalMapper mapper = SslPrincipalMapper.parse(" RULE:^CN=([^,]*),.*$/$1/U ,\n DEFAULT ", KEY);

        assertThat(mapper.map("CN=bob,O=Fjord")).contains("BOB");
        assertThat(mapper.map("O=Fjord")).contains("O=Fjord");
    }

    @Test
    void aNameNoRuleMatchesCannotBeMapped() {
        SslPrincipalMapper mapper = SslPrincipalMapper.parse("RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/", KEY);

        assertThat(mapper.map("CN=someone,OU=Other")).isEqualTo(Optional.empty());
    }

    @Test
    void anEscapedSlashBelongsToThePattern() {
        SslPrincipalMapper mapper = SslPrincipalMapper.parse("RULE:^CN=a\\/b,(.*)$/x-$1/", KEY);

        assertThat(mapper.map("CN=a/b,O=Fjord")).contains("x-O=Fjord");
    }

    @Test
    void malformedRulesAreRefusedNamingTheKey() {
        for (String rules : new String[] {"RULE:^CN=(.*)$", "NOTARULE", "DEFAULT RULE:a/b/", "RULE:([/x/"}) {
            assertThatThrownBy(() -> SslPrincipalMapper.parse(rules, KEY)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(KEY);
        }
    }
}
