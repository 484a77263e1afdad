package io.fjord.broker.security.sasl;

import io.fjord.metadata.scram.ScramFunctions;
import io.fjord.metadata.scram.ScramMechanism;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SCRAM's client side (RFC 5802, RFC 7677) with the checks Kafka's client makes of the server: the server nonce must
 * extend this client's nonce, the iteration count must be within Kafka's bounds (4,096 to 16,384: no server stores
 * more, and a larger count would only make this node spend its event loop on PBKDF2), and the server signature of
 * the server-final message must be the one derived from the password, so a server that does not know the
 * credential is not trusted. A server-final {@code e=} error fails the exchange with the server's reason.
 * Not thread-safe.
 */
final class ScramClientMechanism implements SaslClientMechanism {
    private static final Pattern SERVER_FIRST = Pattern.compile(
            "(?:m=[^,]+,)?r=(?<nonce>[\\x21-\\x7E&&[^,]]+),s=(?<salt>[a-zA-Z0-9/+=]+),i=(?<iterations>[0-9]{1,9})"
                    + "(?:,[A-Za-z]+=[^,]*)*");
    private static final Pattern SERVER_FINAL = Pattern.compile(
            "(?:e=(?<error>[^,]+)|v=(?<verifier>[a-zA-Z0-9/+=]+))(?:,[A-Za-z]+=[^,]*)*");

    private enum State { CLIENT_FIRST, SERVER_FIRST, SERVER_FINAL, COMPLETE, FAILED }

    private final ScramFunctions functions;
    private final String username;
    private final String password;
    private final String clientNonce;
    private State state = State.CLIENT_FIRST;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    /**
     * @param clientNonce printable ASCII without commas, fresh and random per exchange
     */
    ScramClientMechanism(ScramMechanism mechanism, String username, String password, String clientNonce) {
        if (!clientNonce.matches("[\\x21-\\x7E&&[^,]]+")) {
            throw new IllegalArgumentException("a SCRAM nonce is printable ASCII without commas");
        }
        this.functions = new ScramFunctions(mechanism);
        this.username = username;
        this.password = password;
        this.clientNonce = clientNonce;
    }

    @Override
    public String name() {
        return functions.mechanism().mechanismName();
    }

    @Override
    public byte[] initialResponse() {
        if (state != State.CLIENT_FIRST) {
            throw new IllegalStateException("the client-first message is sent once");
        }
        clientFirstBare = "n=" + username.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
        state = State.SERVER_FIRST;
        return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] evaluate(byte[] challenge) throws SaslAuthenticationFailure {
        State current = state;
        state = State.FAILED; // until this step succeeds
        byte[] answer = switch (current) {
            case SERVER_FIRST -> clientFinal(text(challenge));
            case SERVER_FINAL -> {
                verify(text(challenge));
                yield null;
            }
            default -> throw SaslAuthenticationFailure.invalidCredentials("SCRAM: unexpected server message in "
                    + "state " + current);
        };
        state = current == State.SERVER_FIRST ? State.SERVER_FINAL : State.COMPLETE;
        return answer;
    }

    @Override
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    private byte[] clientFinal(String serverFirst) throws SaslAuthenticationFailure {
        Matcher matcher = SERVER_FIRST.matcher(serverFirst);
        if (!matcher.matches()) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid SCRAM server first message format");
        }
        String nonce = matcher.group("nonce");
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid server nonce: does not extend the client "
                    + "nonce");
        }
        int iterations = Integer.parseInt(matcher.group("iterations"));
        if (iterations < ScramMechanism.MIN_ITERATIONS || iterations > ScramMechanism.MAX_ITERATIONS) {
            throw SaslAuthenticationFailure.invalidCredentials("Requested iterations " + iterations + " are not "
                    + "between " + ScramMechanism.MIN_ITERATIONS + " and " + ScramMechanism.MAX_ITERATIONS
                    + " for " + name());
        }
        byte[] salt;
        try {
            salt = Base64.getDecoder().decode(matcher.group("salt"));
        } catch (IllegalArgumentException e) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid SCRAM salt: not base64");
        }
        byte[] saltedPassword = functions.saltedPassword(password, salt, iterations);
        String withoutProof = "c=biws,r=" + nonce; // biws: base64 of the GS2 header "n,,"
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientKey = functions.clientKey(saltedPassword);
        byte[] clientSignature = functions.hmac(functions.storedKey(clientKey), authMessage);
        expectedServerSignature = functions.hmac(functions.serverKey(saltedPassword), authMessage);
        String proof = Base64.getEncoder().encodeToString(ScramFunctions.xor(clientKey, clientSignature));
        return (withoutProof + ",p=" + proof).getBytes(StandardCharsets.UTF_8);
    }

    private void verify(String serverFinal) throws SaslAuthenticationFailure {
        Matcher matcher = SERVER_FINAL.matcher(serverFinal);
        if (!matcher.matches()) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid SCRAM server final message format");
        }
        if (matcher.group("error") != null) {
            throw SaslAuthenticationFailure.toldToClient("Sasl authentication using " + name() + " failed with "
                    + "error: " + matcher.group("error"));
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(matcher.group("verifier"));
        } catch (IllegalArgumentException e) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid SCRAM server signature: not base64");
        }
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid server signature in server final message");
        }
    }

    private static String text(byte[] challenge) throws SaslAuthenticationFailure {
        if (challenge == null) {
            throw SaslAuthenticationFailure.invalidCredentials("SCRAM: the server sent no message");
        }
        return new String(challenge, StandardCharsets.UTF_8);
    }
}
