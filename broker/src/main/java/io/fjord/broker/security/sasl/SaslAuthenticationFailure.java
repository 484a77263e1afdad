package io.fjord.broker.security.sasl;

/**
 * A SASL exchange failed. {@link #clientMessage()} is what the client is told: the reason itself for the failures
 * Kafka names to the client (an unknown user, a wrong PLAIN password), else Kafka's generic "invalid credentials"
 * text, so a SCRAM client learns nothing from which check failed. {@link #getMessage()} is the reason, for the log.
 */
public final class SaslAuthenticationFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean reasonForClient;

    private SaslAuthenticationFailure(String reason, boolean reasonForClient) {
        super(reason, null, false, false);
        this.reasonForClient = reasonForClient;
    }

    /** A failure whose reason the client is told (Kafka's {@code SaslAuthenticationException}). */
    public static SaslAuthenticationFailure toldToClient(String reason) {
        return new SaslAuthenticationFailure(reason, true);
    }

    /** A failure the client learns only as invalid credentials (Kafka's plain {@code SaslException}). */
    public static SaslAuthenticationFailure invalidCredentials(String reason) {
        return new SaslAuthenticationFailure(reason, false);
    }

    /**
     * @param reauthenticating whether the connection was authenticated before (KIP-368 re-authentication)
     */
    public String clientMessage(String mechanism, boolean reauthenticating) {
        return reasonForClient ? getMessage() : "Authentication failed during "
                + (reauthenticating ? "re-authentication" : "authentication")
                + " due to invalid credentials with SASL mechanism " + mechanism;
    }
}
