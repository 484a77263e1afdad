package io.fjord.broker.security.sasl;

import io.fjord.metadata.scram.ScramFunctions;
import io.fjord.metadata.scram.ScramMechanism;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The client side of a SCRAM exchange, for tests: builds RFC 5802 messages from a password. Not thread-safe. */
final class ScramTestClient {
    private static final Pattern SERVER_FIRST = Pattern.compile("r=([^,]+),s=([^,]+),i=([0-9]+)");
    private final ScramFunctions functions;
    private final String user;
    private final String password;
    private final String clientNonce;
    private String clientFirstBare;
    private byte[] saltedPassword;
    private String authMessage;

    ScramTestClient(ScramMechanism mechanism, String user, String password, String clientNonce) {
        this.functions = new ScramFunctions(mechanism);
        this.user = user;
        this.password = password;
        this.clientNonce = clientNonce;
    }

    byte[] clientFirst() {
        return clientFirst("");
    }

    byte[] clientFirst(String extensions) {
        clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce + extensions;
        return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** The client-final message for the server-first one, with the nonce the server sent unless {@code nonce} says. */
    byte[] clientFinal(byte[] serverFirst, String nonce) {
        String serverFirstText = new String(serverFirst, StandardCharsets.UTF_8);
        Matcher matcher = SERVER_FIRST.matcher(serverFirstText);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("bad server-first " + serverFirstText);
        }
        String finalNonce = nonce != null ? nonce : matcher.group(1);
        saltedPassword = functions.saltedPassword(password, Base64.getDecoder().decode(matcher.group(2)),
                Integer.parseInt(matcher.group(3)));
        String withoutProof = "c=biws,r=" + finalNonce;
        authMessage = clientFirstBare + "," + serverFirstText + "," + withoutProof;
        byte[] clientKey = functions.clientKey(saltedPassword);
        byte[] signature = functions.hmac(functions.storedKey(clientKey),
                authMessage.getBytes(StandardCharsets.UTF_8));
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(ScramFunctions.xor(clientKey, signature)))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The server-final message the server must send. */
    byte[] expectedServerFinal() {
        return ("v=" + Base64.getEncoder().encodeToString(functions.hmac(functions.serverKey(saltedPassword),
                authMessage.getBytes(StandardCharsets.UTF_8)))).getBytes(StandardCharsets.UTF_8);
    }
}
