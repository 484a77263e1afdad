package io.fjord.broker.security.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.scram.ScramCredential;
import io.fjord.metadata.scram.ScramFunctions;
import io.fjord.metadata.scram.ScramMechanism;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScramClientMechanismTest {
    // RFC 7677 section 3: user "user", password "pencil".
    private static final String RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String RFC_CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String RFC_SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String RFC_CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static ScramClientMechanism rfcClient() {
        return new ScramClientMechanism(ScramMechanism.SCRAM_SHA_256, "user", "pencil", RFC_CLIENT_NONCE);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void rfc7677TestVector() throws Exception {
        ScramClientMechanism client = rfcClient();
        assertThat(client.name()).isEqualTo("SCRAM-SHA-256");
        assertThat(text(client.initialResponse())).isEqualTo(RFC_CLIENT_FIRST);
        assertThat(text(client.evaluate(bytes(RFC_SERVER_FIRST)))).isEqualTo(RFC_CLIENT_FINAL);
        assertThat(client.isComplete()).isFalse();
        assertThat(client.evaluate(bytes(RFC_SERVER_FINAL))).isNull();
        assertThat(client.isComplete()).isTrue();
    }

    @Test
    void aServerNonceThatDoesNotExtendTheClientsIsRefused() {
        ScramClientMechanism client = rfcClient();
        client.initialResponse();
        // Another client's nonce, and the client's own nonce unextended.
        assertThatThrownBy(() -> client.evaluate(bytes("r=XOprNGfwEbeRWgbNEkqO%hvYD,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
                + "i=4096"))).isInstanceOf(SaslAuthenticationFailure.class).hasMessageContaining("nonce");
        ScramClientMechanism unextended = rfcClient();
        unextended.initialResponse();
        assertThatThrownBy(() -> unextended.evaluate(bytes("r=" + RFC_CLIENT_NONCE
                + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))).isInstanceOf(SaslAuthenticationFailure.class)
                .hasMessageContaining("nonce");
        assertThat(client.isComplete()).isFalse();
    }

    @Test
    void aWrongServerSignatureIsRefused() throws Exception {
        ScramClientMechanism client = rfcClient();
        client.initialResponse();
        client.evaluate(bytes(RFC_SERVER_FIRST));
        // The RFC's signature with its first byte changed: a server that does not hold the ServerKey.
        assertThatThrownBy(() -> client.evaluate(bytes("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")))
                .isInstanceOf(SaslAuthenticationFailure.class).hasMessageContaining("server signature");
        assertThat(client.isComplete()).isFalse();
    }

    @Test
    void aServerErrorFailsWithTheServersReason() throws Exception {
        ScramClientMechanism client = rfcClient();
        client.initialResponse();
        client.evaluate(bytes(RFC_SERVER_FIRST));
        assertThatThrownBy(() -> client.evaluate(bytes("e=invalid-proof")))
                .isInstanceOf(SaslAuthenticationFailure.class).hasMessageContaining("invalid-proof");
    }

    @Test
    void iterationsOutsideKafkasBoundsAreRefused() {
        for (String iterations : new String[] {"4095", "16385", "999999999"}) {
            ScramClientMechanism client = rfcClient();
            client.initialResponse();
            assertThatThrownBy(() -> client.evaluate(bytes("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i="
                    + iterations))).isInstanceOf(SaslAuthenticationFailure.class)
                    .hasMessageContaining("iterations " + iterations);
        }
    }

    @Test
    void malformedServerMessagesAreRefused() {
        ScramClientMechanism client = rfcClient();
        client.initialResponse();
        assertThatThrownBy(() -> client.evaluate(bytes("s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
                .isInstanceOf(SaslAuthenticationFailure.class);
        assertThatThrownBy(() -> client.evaluate(bytes(RFC_SERVER_FINAL)))
                .isInstanceOf(SaslAuthenticationFailure.class); // the exchange failed already
    }

    @Test
    void authenticatesWithFjordsServerOnSha512() throws Exception {
        ScramFunctions functions = new ScramFunctions(ScramMechanism.SCRAM_SHA_512);
        ScramCredential credential = functions.credential("broker-secret", 8192, new SecureRandom());
        ScramServerMechanism server = new ScramServerMechanism(ScramMechanism.SCRAM_SHA_512,
                (user, mechanism) -> user.equals("broker") ? Optional.of(credential) : Optional.empty(),
                () -> "serverpart");
        SaslClientMechanism client = new SaslClientCredentials("SCRAM-SHA-512", "broker", "broker-secret")
                .newMechanism(new Random(7));
        byte[] serverFinal = server.evaluate(client.evaluate(server.evaluate(client.initialResponse())));
        assertThat(server.isComplete()).isTrue();
        assertThat(server.authenticatedUser()).isEqualTo("broker");
        assertThat(client.evaluate(serverFinal)).isNull();
        assertThat(client.isComplete()).isTrue();
    }

    @Test
    void plainSendsTheUserAndPasswordOnce() throws Exception {
        SaslClientMechanism client = new SaslClientCredentials("PLAIN", "broker", "secret").newMechanism();
        assertThat(text(client.initialResponse())).isEqualTo("\0broker\0secret");
        assertThat(client.evaluate(new byte[0])).isNull();
        assertThat(client.isComplete()).isTrue();
        assertThat(new SaslClientCredentials("PLAIN", "broker", "secret").toString()).doesNotContain("secret");
    }
}
