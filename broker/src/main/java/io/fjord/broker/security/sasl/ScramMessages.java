package io.fjord.broker.security.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SCRAM messages of RFC 5802 section 7 that a server reads (client-first, client-final) and writes (server-first,
 * server-final), with the grammar Kafka accepts: user names of ASCII characters with {@code =2C} and {@code =3D}
 * escapes, printable nonces without commas, base64 proofs and channel bindings, and {@code name=value} extensions.
 * Stateless; thread-safe.
 */
final class ScramMessages {
    private static final String SASL_NAME = "(?:[\\x01-\\x7F&&[^=,]]|=2C|=3D)+";
    private static final String PRINTABLE = "[\\x21-\\x7E&&[^,]]+";
    private static final String BASE64 = "(?:[a-zA-Z0-9/+]{4})*(?:[a-zA-Z0-9/+]{3}=|[a-zA-Z0-9/+]{2}==)?";
    private static final String EXTENSIONS = "(?:,[A-Za-z]+=[\\x01-\\x7F&&[^,]]+)*";
    private static final Pattern CLIENT_FIRST = Pattern.compile("(?<gs2>n,(?:a=(?<authzid>" + SASL_NAME + "))?,)"
            + "(?<bare>(?:m=[\\x01-\\x7F&&[^,]]+,)?n=(?<saslname>" + SASL_NAME + "),r=(?<nonce>" + PRINTABLE + ")"
            + "(?<extensions>" + EXTENSIONS + "))");
    private static final Pattern CLIENT_FINAL = Pattern.compile("(?<withoutProof>c=(?<channel>" + BASE64 + "),r=(?<nonce>"
            + PRINTABLE + ")" + EXTENSIONS + "),p=(?<proof>" + BASE64 + ")");

    private ScramMessages() {
    }

    /**
     * A parsed client-first message.
     *
     * @param gs2Header     the GS2 header, echoed base64-encoded in the client-final message's channel binding
     * @param bare          client-first-message-bare, part of the AuthMessage
     * @param authorizationId null when absent
     */
    record ClientFirst(String gs2Header, String bare, String user, String authorizationId, String nonce,
                       Map<String, String> extensions) {
    }

    /** A parsed client-final message; {@code withoutProof} is its part in the AuthMessage. */
    record ClientFinal(String withoutProof, byte[] channelBinding, String nonce, byte[] proof) {
    }

    static ClientFirst clientFirst(byte[] message) throws SaslAuthenticationFailure {
        Matcher matcher = CLIENT_FIRST.matcher(new String(message, StandardCharsets.UTF_8));
        if (!matcher.matches()) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid SCRAM client first message format");
        }
        Map<String, String> extensions = new LinkedHashMap<>();
        String extensionText = matcher.group("extensions");
        if (!extensionText.isEmpty()) {
            for (String extension : extensionText.substring(1).split(",")) {
                int equals = extension.indexOf('=');
                extensions.put(extension.substring(0, equals), extension.substring(equals + 1));
            }
        }
        String authorizationId = matcher.group("authzid");
        return new ClientFirst(matcher.group("gs2"), matcher.group("bare"), unescape(matcher.group("saslname")),
                authorizationId == null ? null : unescape(authorizationId), matcher.group("nonce"), extensions);
    }

    static ClientFinal clientFinal(byte[] message) throws SaslAuthenticationFailure {
        Matcher matcher = CLIENT_FINAL.matcher(new String(message, StandardCharsets.UTF_8));
        if (!matcher.matches()) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid SCRAM client final message format");
        }
        Base64.Decoder decoder = Base64.getDecoder();
        return new ClientFinal(matcher.group("withoutProof"), decoder.decode(matcher.group("channel")),
                matcher.group("nonce"), decoder.decode(matcher.group("proof")));
    }

    static String serverFirst(String nonce, byte[] salt, int iterations) {
        return "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(salt) + ",i=" + iterations;
    }

    static String serverFinal(byte[] serverSignature) {
        return "v=" + Base64.getEncoder().encodeToString(serverSignature);
    }

    private static String unescape(String saslName) {
        return saslName.replace("=2C", ",").replace("=3D", "=");
    }
}
