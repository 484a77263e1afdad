package io.fjord.broker.security.sasl;

import io.fjord.metadata.scram.ScramCredential;
import io.fjord.metadata.scram.ScramFunctions;
import io.fjord.metadata.scram.ScramMechanism;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * SCRAM-SHA-256 and SCRAM-SHA-512, server side (RFC 5802, RFC 7677), with Kafka's rules: the client-first message
 * names the user (an authorization id must equal it); the server's nonce extends the client's, and the client-final
 * message must repeat exactly that combined nonce (checking it is the fix of CVE-2024-56128); the channel binding must
 * echo the GS2 header; the proof must hash to the stored key; a stored credential below
 * {@link ScramMechanism#MIN_ITERATIONS} is refused. The {@code tokenauth} extension (delegation tokens) is refused, as
 * Fjord has no delegation tokens; other extensions are ignored, as Kafka does. Not thread-safe: one instance per
 * exchange.
 */
public final class ScramServerMechanism implements SaslServerMechanism {
    private enum State { RECEIVE_CLIENT_FIRST, RECEIVE_CLIENT_FINAL, COMPLETE, FAILED }

    private final ScramFunctions functions;
    private final ScramCredentialLookup credentials;
    private final Supplier<String> nonces;
    private State state = State.RECEIVE_CLIENT_FIRST;
    private ScramMessages.ClientFirst clientFirst;
    private String serverFirst;
    private String combinedNonce;
    private ScramCredential credential;

    /** @param nonces gives each exchange's server nonce: printable characters without commas, from a secure random */
    public ScramServerMechanism(ScramMechanism mechanism, ScramCredentialLookup credentials, Supplier<String> nonces) {
        this.functions = new ScramFunctions(mechanism);
        this.credentials = credentials;
        this.nonces = nonces;
    }

    @Override
    public byte[] evaluate(byte[] clientMessage) throws SaslAuthenticationFailure {
        try {
            return switch (state) {
                case RECEIVE_CLIENT_FIRST -> receiveClientFirst(clientMessage);
                case RECEIVE_CLIENT_FINAL -> receiveClientFinal(clientMessage);
                case COMPLETE, FAILED -> throw SaslAuthenticationFailure.invalidCredentials(
                        "SCRAM exchange already " + state);
            };
        } catch (SaslAuthenticationFailure e) {
            state = State.FAILED;
            throw e;
        }
    }

    private byte[] receiveClientFirst(byte[] message) throws SaslAuthenticationFailure {
        clientFirst = ScramMessages.clientFirst(message);
        if (clientFirst.authorizationId() != null && !clientFirst.authorizationId().equals(clientFirst.user())) {
            throw SaslAuthenticationFailure.toldToClient(
                    "Authentication failed: Client requested an authorization id that is different from username");
        }
        if ("true".equalsIgnoreCase(clientFirst.extensions().get("tokenauth"))) {
            throw SaslAuthenticationFailure.toldToClient("Token Authentication failed: Invalid tokenId");
        }
        Optional<ScramCredential> stored = credentials.credential(clientFirst.user(), functions.mechanism());
        if (stored.isEmpty()) {
            throw SaslAuthenticationFailure.toldToClient("Authentication failed: Invalid user credentials");
        }
        credential = stored.get();
        if (credential.iterations() < ScramMechanism.MIN_ITERATIONS) {
            throw SaslAuthenticationFailure.invalidCredentials("Iterations " + credential.iterations()
                    + " is less than the minimum " + ScramMechanism.MIN_ITERATIONS + " for "
                    + functions.mechanism().mechanismName());
        }
        combinedNonce = clientFirst.nonce() + nonces.get();
        serverFirst = ScramMessages.serverFirst(combinedNonce, credential.salt(), credential.iterations());
        state = State.RECEIVE_CLIENT_FINAL;
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] receiveClientFinal(byte[] message) throws SaslAuthenticationFailure {
        ScramMessages.ClientFinal clientFinal = ScramMessages.clientFinal(message);
        if (!clientFinal.nonce().equals(combinedNonce)) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid client nonce in the final client message.");
        }
        if (!MessageDigest.isEqual(clientFinal.channelBinding(),
                clientFirst.gs2Header().getBytes(StandardCharsets.UTF_8))) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid channel binding in the final client message.");
        }
        byte[] authMessage = (clientFirst.bare() + "," + serverFirst + "," + clientFinal.withoutProof())
                .getBytes(StandardCharsets.UTF_8);
        byte[] storedKey = credential.storedKey();
        byte[] clientSignature = functions.hmac(storedKey, authMessage);
        if (clientFinal.proof().length != clientSignature.length) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid client credentials");
        }
        byte[] clientKey = ScramFunctions.xor(clientFinal.proof(), clientSignature);
        if (!MessageDigest.isEqual(functions.storedKey(clientKey), storedKey)) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid client credentials");
        }
        state = State.COMPLETE;
        return ScramMessages.serverFinal(functions.hmac(credential.serverKey(), authMessage))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    @Override
    public String authenticatedUser() {
        if (state != State.COMPLETE) {
            throw new IllegalStateException("Authentication exchange has not completed");
        }
        return clientFirst.user();
    }
}
