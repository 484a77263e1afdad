package io.fjord.broker.security.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.scram.ScramCredential;
import io.fjord.metadata.scram.ScramFunctions;
import io.fjord.metadata.scram.ScramMechanism;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScramServerMechanismTest {
    // RFC 7677 section 3: user "user", password "pencil".
    private static final String RFC_CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String RFC_SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String RFC_SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String RFC_CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static ScramCredential rfcCredential() {
        ScramFunctions functions = new ScramFunctions(ScramMechanism.SCRAM_SHA_256);
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        return functions.credential(salt, functions.saltedPassword("pencil", salt, 4096), 4096);
    }

    private static ScramServerMechanism rfcServer() {
        ScramCredential credential = rfcCredential();
        return new ScramServerMechanism(ScramMechanism.SCRAM_SHA_256,
                (user, mechanism) -> user.equals("user") ? Optional.of(credential) : Optional.empty(),
                () -> RFC_SERVER_NONCE);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rfc7677TestVectorAuthenticates() throws Exception {
        ScramServerMechanism server = rfcServer();
        assertThat(new String(server.evaluate(bytes(RFC_CLIENT_FIRST)), StandardCharsets.UTF_8))
                .isEqualTo(RFC_SERVER_FIRST);
        assertThat(server.isComplete()).isFalse();
        assertThat(new String(server.evaluate(bytes(RFC_CLIENT_FINAL)), StandardCharsets.UTF_8))
                .isEqualTo(RFC_SERVER_FINAL);
        assertThat(server.isComplete()).isTrue();
        assertThat(server.authenticatedUser()).isEqualTo("user");
    }

    @Test
    void aFinalNonceThatIsNotTheServersIsRefusedEvenWithAValidProof() throws Exception {
        // CVE-2024-56128's shape: the client-final message must carry the nonce the server extended.
        ScramServerMechanism server = rfcServer();
        ScramTestClient client = new ScramTestClient(ScramMechanism.SCRAM_SHA_256, "user", "pencil",
                "rOprNGfwEbeRWgbNEkqO");
        byte[] serverFirst = server.evaluate(client.clientFirst());
        assertThatThrownBy(() -> server.evaluate(client.clientFinal(serverFirst, "rOprNGfwEbeRWgbNEkqO")))
                .isInstanceOf(SaslAuthenticationFailure.class)
                .hasMessage("Invalid client nonce in the final client message.")
                .satisfies(failure -> assertThat(((SaslAuthenticationFailure) failure)
                        .clientMessage("SCRAM-SHA-256", false)).isEqualTo("Authentication failed during "
                        + "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256"));
        assertThat(server.isComplete()).isFalse();
    }

    @Test
    void theServerNonceExtendsTheClients() throws Exception {
        ScramServerMechanism server = rfcServer();
        String serverFirst = new String(server.evaluate(bytes("n,,n=user,r=abc")), StandardCharsets.UTF_8);
        assertThat(serverFirst).startsWith("r=abc" + RFC_SERVER_NONCE + ",");
    }

    @Test
    void aWrongPasswordFailsWithTheGenericMessage() throws Exception {
        ScramServerMechanism server = rfcServer();
        ScramTestClient client = new ScramTestClient(ScramMechanism.SCRAM_SHA_256, "user", "wrong", "nonce1");
        byte[] serverFirst = server.evaluate(client.clientFirst());
        assertThatThrownBy(() -> server.evaluate(client.clientFinal(serverFirst, null)))
                .isInstanceOf(SaslAuthenticationFailure.class).hasMessage("Invalid client credentials");
        assertThat(server.isComplete()).isFalse();
    }

    @Test
    void anUnknownUserIsToldInvalidUserCredentials() {
        ScramServerMechanism server = rfcServer();
        assertThatThrownBy(() -> server.evaluate(bytes("n,,n=mallory,r=abc")))
                .isInstanceOf(SaslAuthenticationFailure.class)
                .satisfies(failure -> assertThat(((SaslAuthenticationFailure) failure)
                        .clientMessage("SCRAM-SHA-256", false))
                        .isEqualTo("Authentication failed: Invalid user credentials"));
    }

    @Test
    void tokenAuthenticationIsRefusedWithoutDelegationTokens() {
        ScramServerMechanism server = rfcServer();
        assertThatThrownBy(() -> server.evaluate(bytes("n,,n=user,r=abc,tokenauth=true")))
                .isInstanceOf(SaslAuthenticationFailure.class)
                .hasMessage("Token Authentication failed: Invalid tokenId");
    }

    @Test
    void aDifferentAuthorizationIdIsRefused() {
        ScramServerMechanism server = rfcServer();
        assertThatThrownBy(() -> server.evaluate(bytes("n,a=admin,n=user,r=abc")))
                .isInstanceOf(SaslAuthenticationFailure.class)
                .hasMessageContaining("authorization id that is different from username");
    }

    @Test
    void aCredentialBelowTheIterationMinimumIsRefused() {
        ScramFunctions functions = new ScramFunctions(ScramMechanism.SCRAM_SHA_256);
        byte[] salt = new byte[16];
        ScramCredential weak = functions.credential(salt, functions.saltedPassword("pencil", salt, 4095), 4095);
        ScramServerMechanism server = new ScramServerMechanism(ScramMechanism.SCRAM_SHA_256,
                (user, mechanism) -> Optional.of(weak), () -> "x");
        assertThatThrownBy(() -> server.evaluate(bytes("n,,n=user,r=abc")))
                .isInstanceOf(SaslAuthenticationFailure.class).hasMessageContaining("less than the minimum 4096");
    }

    @Test
    void malformedMessagesAreRefused() {
        assertThatThrownBy(() -> rfcServer().evaluate(bytes("y,,n=user,r=abc")))
                .isInstanceOf(SaslAuthenticationFailure.class);
        assertThatThrownBy(() -> rfcServer().evaluate(bytes("n,,n=user")))
                .isInstanceOf(SaslAuthenticationFailure.class);
    }

    @Test
    void scramSha512RoundTripsWithEscapedUserNames() throws Exception {
        ScramFunctions functions = new ScramFunctions(ScramMechanism.SCRAM_SHA_512);
        ScramCredential credential = functions.credential("secret", 4096, new SecureRandom());
        Map<String, ScramCredential> users = Map.of("a=b,c", credential);
        ScramServerMechanism server = new ScramServerMechanism(ScramMechanism.SCRAM_SHA_512,
                (user, mechanism) -> Optional.ofNullable(users.get(user)), () -> "serverpart");
        ScramTestClient client = new ScramTestClient(ScramMechanism.SCRAM_SHA_512, "a=b,c", "secret", "clientpart");
        byte[] serverFirst = server.evaluate(client.clientFirst());
        byte[] serverFinal = server.evaluate(client.clientFinal(serverFirst, null));
        assertThat(serverFinal).isEqualTo(client.expectedServerFinal());
        assertThat(server.authenticatedUser()).isEqualTo("a=b,c");
    }
}
