package io.fjord.broker.security.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.scram.ScramCredential;
import io.fjord.metadata.scram.ScramFunctions;
import io.fjord.metadata.scram.ScramMechanism;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiVersionsRequestData;
import io.fjord.protocol.message.MetadataRequestData;
import io.fjord.protocol.message.SaslAuthenticateRequestData;
import io.fjord.protocol.message.SaslAuthenticateResponseData;
import io.fjord.protocol.message.SaslHandshakeRequestData;
import io.fjord.protocol.message.SaslHandshakeResponseData;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SaslAuthenticatorTest {
    private static final ScramCredential BOB = new ScramFunctions(ScramMechanism.SCRAM_SHA_256)
            .credential("bob-secret", 4096, new SecureRandom());
    private static final JaasEntry PLAIN = JaasConfigParser.parse(JaasEntry.PLAIN_LOGIN_MODULE
            + " required user_alice=\"alice-secret\" user_eve=\"eve-secret\";");

    private static SaslAuthenticator authenticator(long reauthenticationMaxMs) {
        ListenerSaslConfig config = new ListenerSaslConfig("SASL_PLAINTEXT", List.of("PLAIN", "SCRAM-SHA-256"),
                Map.of("PLAIN", PLAIN), reauthenticationMaxMs);
        return new SaslAuthenticator(config, (user, mechanism) -> user.equals("bob")
                && mechanism == ScramMechanism.SCRAM_SHA_256 ? Optional.of(BOB) : Optional.empty(), () -> "srv");
    }

    private static SaslDecision handshake(SaslAuthenticator authenticator, String mechanism, long nowMs) {
        return authenticator.onRequest(ApiKey.SASL_HANDSHAKE, (short) 1,
                new SaslHandshakeRequestData().setMechanism(mechanism), nowMs);
    }

    private static SaslDecision authenticate(SaslAuthenticator authenticator, byte[] bytes, long nowMs) {
        return authenticator.onRequest(ApiKey.SASL_AUTHENTICATE, (short) 2,
                new SaslAuthenticateRequestData().setAuthBytes(bytes), nowMs);
    }

    private static byte[] plain(String user, String password) {
        return ("\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
    }

    private static SaslDecision metadata(SaslAuthenticator authenticator, long nowMs) {
        return authenticator.onRequest(ApiKey.METADATA, (short) 12, new MetadataRequestData(), nowMs);
    }

    @Test
    void apiVersionsThenPlainAuthenticatesAndLetsRequestsThrough() {
        SaslAuthenticator authenticator = authenticator(0);
        assertThat(authenticator.onRequest(ApiKey.API_VERSIONS, (short) 3, new ApiVersionsRequestData(), 0))
                .isInstanceOf(SaslDecision.Dispatch.class);
        SaslDecision handshake = handshake(authenticator, "PLAIN", 0);
        assertThat(((SaslHandshakeResponseData) ((SaslDecision.Respond) handshake).response()).errorCode())
                .isEqualTo(Errors.NONE.code());
        SaslDecision.Respond done = (SaslDecision.Respond) authenticate(authenticator, plain("alice", "alice-secret"),
                0);
        assertThat(done.failure()).isNull();
        assertThat(((SaslAuthenticateResponseData) done.response()).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(((SaslAuthenticateResponseData) done.response()).sessionLifetimeMs()).isZero();
        assertThat(authenticator.principal()).hasToString("User:alice");
        assertThat(metadata(authenticator, Long.MAX_VALUE - 1)).isInstanceOf(SaslDecision.Dispatch.class);
    }

    @Test
    void anyOtherRequestBeforeAuthenticationClosesTheConnection() {
        assertThat(metadata(authenticator(0), 0)).isEqualTo(new SaslDecision.Close(
                "Unexpected Kafka request of type METADATA during SASL handshake."));
        SaslAuthenticator authenticating = authenticator(0);
        handshake(authenticating, "PLAIN", 0);
        assertThat(metadata(authenticating, 0)).isEqualTo(new SaslDecision.Close(
                "Unexpected Kafka request of type METADATA during SASL authentication."));
        assertThat(authenticating.principal()).isEqualTo(SaslAuthenticator.ANONYMOUS);
    }

    @Test
    void anUnsupportedMechanismIsAnsweredWithTheEnabledListThenClosed() {
        SaslDecision.Respond refused = (SaslDecision.Respond) handshake(authenticator(0), "GSSAPI", 0);
        SaslHandshakeResponseData response = (SaslHandshakeResponseData) refused.response();
        assertThat(response.errorCode()).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM.code());
        assertThat(response.mechanisms()).containsExactly("PLAIN", "SCRAM-SHA-256");
        assertThat(refused.failure()).isEqualTo("Unsupported SASL mechanism GSSAPI");
    }

    @Test
    void aWrongPasswordIsSaslAuthenticationFailedThenClosed() {
        SaslAuthenticator authenticator = authenticator(0);
        handshake(authenticator, "PLAIN", 0);
        SaslDecision.Respond failed = (SaslDecision.Respond) authenticate(authenticator, plain("alice", "nope"), 0);
        SaslAuthenticateResponseData response = (SaslAuthenticateResponseData) failed.response();
        assertThat(response.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(response.errorMessage()).isEqualTo("Authentication failed: Invalid username or password");
        assertThat(failed.failure()).isNotNull();
        assertThat(metadata(authenticator, 0)).isInstanceOf(SaslDecision.Close.class);
    }

    @Test
    void scramWithABadProofAndAnUnknownUserFail() {
        SaslAuthenticator unknown = authenticator(0);
        handshake(unknown, "SCRAM-SHA-256", 0);
        SaslAuthenticateResponseData response = (SaslAuthenticateResponseData) ((SaslDecision.Respond) authenticate(
                unknown, "n,,n=mallory,r=abc".getBytes(StandardCharsets.UTF_8), 0)).response();
        assertThat(response.errorMessage()).isEqualTo("Authentication failed: Invalid user credentials");

        SaslAuthenticator wrong = authenticator(0);
        handshake(wrong, "SCRAM-SHA-256", 0);
        ScramTestClient client = new ScramTestClient(ScramMechanism.SCRAM_SHA_256, "bob", "guess", "cnonce");
        byte[] serverFirst = ((SaslAuthenticateResponseData) ((SaslDecision.Respond) authenticate(wrong,
                client.clientFirst(), 0)).response()).authBytes();
        SaslAuthenticateResponseData failed = (SaslAuthenticateResponseData) ((SaslDecision.Respond) authenticate(
                wrong, client.clientFinal(serverFirst, null), 0)).response();
        assertThat(failed.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(failed.errorMessage()).isEqualTo("Authentication failed during authentication due to invalid "
                + "credentials with SASL mechanism SCRAM-SHA-256");
    }

    @Test
    void scramAuthenticatesWithTheServerSignature() {
        SaslAuthenticator authenticator = authenticator(0);
        handshake(authenticator, "SCRAM-SHA-256", 0);
        ScramTestClient client = new ScramTestClient(ScramMechanism.SCRAM_SHA_256, "bob", "bob-secret", "cnonce");
        byte[] serverFirst = ((SaslAuthenticateResponseData) ((SaslDecision.Respond) authenticate(authenticator,
                client.clientFirst(), 0)).response()).authBytes();
        SaslAuthenticateResponseData done = (SaslAuthenticateResponseData) ((SaslDecision.Respond) authenticate(
                authenticator, client.clientFinal(serverFirst, null), 0)).response();
        assertThat(done.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(done.authBytes()).isEqualTo(client.expectedServerFinal());
        assertThat(authenticator.principal()).hasToString("User:bob");
    }

    @Test
    void sessionsExpireAndReauthenticationKeepsThePrincipal() {
        SaslAuthenticator authenticator = authenticator(1_000);
        handshake(authenticator, "PLAIN", 100);
        SaslAuthenticateResponseData done = (SaslAuthenticateResponseData) ((SaslDecision.Respond) authenticate(
                authenticator, plain("alice", "alice-secret"), 100)).response();
        assertThat(done.sessionLifetimeMs()).isEqualTo(1_000);
        assertThat(metadata(authenticator, 1_099)).isInstanceOf(SaslDecision.Dispatch.class);
        // Re-authentication (KIP-368) before expiry renews the session.
        handshake(authenticator, "PLAIN", 1_050);
        authenticate(authenticator, plain("alice", "alice-secret"), 1_050);
        assertThat(metadata(authenticator, 2_049)).isInstanceOf(SaslDecision.Dispatch.class);
        assertThat(metadata(authenticator, 2_050)).isInstanceOf(SaslDecision.Close.class);
    }

    @Test
    void reauthenticationCannotChangeThePrincipalOrMechanism() {
        SaslAuthenticator authenticator = authenticator(1_000);
        handshake(authenticator, "PLAIN", 0);
        authenticate(authenticator, plain("alice", "alice-secret"), 0);
        handshake(authenticator, "PLAIN", 10);
        SaslAuthenticateResponseData changed = (SaslAuthenticateResponseData) ((SaslDecision.Respond) authenticate(
                authenticator, plain("eve", "eve-secret"), 10)).response();
        assertThat(changed.errorMessage()).isEqualTo(
                "Cannot change principals during re-authentication from User.alice: User.eve");

        SaslAuthenticator switching = authenticator(1_000);
        handshake(switching, "PLAIN", 0);
        authenticate(switching, plain("alice", "alice-secret"), 0);
        handshake(switching, "SCRAM-SHA-256", 10);
        SaslAuthenticateResponseData refused = (SaslAuthenticateResponseData) ((SaslDecision.Respond) authenticate(
                switching, "n,,n=bob,r=abc".getBytes(StandardCharsets.UTF_8), 10)).response();
        assertThat(refused.errorMessage()).contains("not supported for re-authentication of mechanism 'PLAIN'");
    }
}
