package io.fjord.broker.security.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JaasConfigParserTest {
    @Test
    void parsesKafkasPlainLoginModuleSyntax() {
        JaasEntry entry = JaasConfigParser.parse("org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\" user_alice=\"a;b\\\"c\";");
        assertThat(entry.loginModule()).isEqualTo(JaasEntry.PLAIN_LOGIN_MODULE);
        assertThat(entry.controlFlag()).isEqualTo("required");
        assertThat(entry.username()).isEqualTo("admin");
        assertThat(entry.password()).isEqualTo("admin-secret");
        assertThat(entry.options()).containsEntry("user_alice", "a;b\"c");
        assertThat(entry.toString()).doesNotContain("admin-secret");
    }

    @Test
    void acceptsUnquotedValuesAndComments() {
        JaasEntry entry = JaasConfigParser.parse("/* broker */ org.apache.kafka.common.security.scram.ScramLoginModule"
                + " REQUIRED // the broker's own user\n username=admin password=\"x\";");
        assertThat(entry.loginModule()).isEqualTo(JaasEntry.SCRAM_LOGIN_MODULE);
        assertThat(entry.username()).isEqualTo("admin");
    }

    @Test
    void refusesWhatKafkaRefusesWithoutQuotingPasswords() {
        assertThatThrownBy(() -> JaasConfigParser.parse("Module required password=\"secret\""))
                .hasMessageContaining("not terminated").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> JaasConfigParser.parse("Module always;")).hasMessageContaining("control flag");
        assertThatThrownBy(() -> JaasConfigParser.parse("A required; B required;"))
                .hasMessage("JAAS config property contains 2 login modules, should be 1 module");
        assertThatThrownBy(() -> JaasConfigParser.parse("Module required password=\"unterminated;"))
                .hasMessageContaining("unterminated quoted value");
    }
}
