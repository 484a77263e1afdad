package io.fjord.broker.security.sasl;

import io.fjord.broker.network.Principal;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.SaslAuthenticateRequestData;
import io.fjord.protocol.message.SaslAuthenticateResponseData;
import io.fjord.protocol.message.SaslHandshakeRequestData;
import io.fjord.protocol.message.SaslHandshakeResponseData;
import java.util.ArrayList;
import java.util.function.Supplier;

/**
 * The SASL state of one connection on a SASL listener (KIP-43, KIP-152, KIP-368), Kafka's server-side state machine:
 * before authentication only one ApiVersions and SaslHandshake are served, then only SaslAuthenticate until the
 * mechanism completes; any other request closes the connection, as Kafka does. An unsupported mechanism is answered
 * UNSUPPORTED_SASL_MECHANISM with the enabled list, a failed exchange SASL_AUTHENTICATION_FAILED with Kafka's
 * message, and both close the connection once the answer is sent. Once authenticated, the principal is
 * {@code User:<name>}; with {@code connections.max.reauth.ms} set, the session lasts that long (told to clients from
 * SaslAuthenticate v1), a SaslHandshake starts a re-authentication (same mechanism, same principal), and any other
 * request after the session expired closes the connection.
 *
 * <p>Pure: time comes in with each request. Not thread-safe: one instance per connection, used on its event loop.
 */
public final class SaslAuthenticator {
    /** The principal of a connection not (yet) authenticated. */
    public static final Principal ANONYMOUS = Principal.ANONYMOUS;

    private enum State { HANDSHAKE_OR_VERSIONS_REQUEST, HANDSHAKE_REQUEST, AUTHENTICATE, COMPLETE, FAILED }

    private final ListenerSaslConfig config;
    private final ScramCredentialLookup credentials;
    private final Supplier<String> nonces;
    private State state = State.HANDSHAKE_OR_VERSIONS_REQUEST;
    private String mechanismName;
    private SaslServerMechanism mechanism;
    private String user;
    /** The session's end, or Long.MAX_VALUE when sessions do not expire. */
    private long sessionExpiryMs = Long.MAX_VALUE;
    private boolean reauthenticating;
    private String reauthenticationRefusal;

    public SaslAuthenticator(ListenerSaslConfig config, ScramCredentialLookup credentials, Supplier<String> nonces) {
        this.config = config;
        this.credentials = credentials;
        this.nonces = nonces;
    }

    /** {@code User:<name>} once authenticated (kept during a re-authentication), else {@link #ANONYMOUS}. */
    public Principal principal() {
        return user == null ? ANONYMOUS : Principal.user(user);
    }

    public boolean isAuthenticated() {
        return user != null && state != State.FAILED;
    }

    public SaslDecision onRequest(ApiKey api, short version, ApiMessage body, long nowMs) {
        return switch (state) {
            case HANDSHAKE_OR_VERSIONS_REQUEST -> {
                if (api == ApiKey.API_VERSIONS) {
                    state = State.HANDSHAKE_REQUEST;
                    yield new SaslDecision.Dispatch();
                }
                yield api == ApiKey.SASL_HANDSHAKE ? handshake((SaslHandshakeRequestData) body)
                        : fail("Unexpected Kafka request of type " + api + " during SASL handshake.");
            }
            case HANDSHAKE_REQUEST -> {
                if (api == ApiKey.API_VERSIONS) {
                    yield fail("Unexpected ApiVersions request received during SASL authentication state "
                            + state);
                }
                yield api == ApiKey.SASL_HANDSHAKE ? handshake((SaslHandshakeRequestData) body)
                        : fail("Unexpected Kafka request of type " + api + " during SASL handshake.");
            }
            case AUTHENTICATE -> api == ApiKey.SASL_AUTHENTICATE
                    ? authenticate((SaslAuthenticateRequestData) body, version, nowMs)
                    : fail("Unexpected Kafka request of type " + api + " during SASL authentication.");
            case COMPLETE -> {
                if (api == ApiKey.SASL_HANDSHAKE) {
                    reauthenticating = true;
                    yield handshake((SaslHandshakeRequestData) body);
                }
                if (nowMs >= sessionExpiryMs) {
                    yield fail("the session of " + principal() + " expired without re-authentication "
                            + "(connections.max.reauth.ms)");
                }
                yield new SaslDecision.Dispatch();
            }
            case FAILED -> new SaslDecision.Close("authentication already failed");
        };
    }

    private SaslDecision handshake(SaslHandshakeRequestData request) {
        String requested = request.mechanism();
        SaslHandshakeResponseData response = new SaslHandshakeResponseData()
                .setMechanisms(new ArrayList<>(config.enabledMechanisms()));
        if (!config.enabledMechanisms().contains(requested)) {
            state = State.FAILED;
            return new SaslDecision.Respond(response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()),
                    "Unsupported SASL mechanism " + requested);
        }
        reauthenticationRefusal = reauthenticating && !requested.equals(mechanismName)
                ? String.format("SASL mechanism '%s' requested by client is not supported for re-authentication "
                        + "of mechanism '%s'", requested, mechanismName) : null;
        mechanismName = requested;
        mechanism = config.newServer(requested, credentials, nonces);
        state = State.AUTHENTICATE;
        return new SaslDecision.Respond(response.setErrorCode(Errors.NONE.code()), null);
    }

    private SaslDecision authenticate(SaslAuthenticateRequestData request, short version, long nowMs) {
        SaslAuthenticateResponseData response = new SaslAuthenticateResponseData();
        try {
            if (reauthenticationRefusal != null) {
                throw SaslAuthenticationFailure.toldToClient(reauthenticationRefusal);
            }
            byte[] challenge = mechanism.evaluate(request.authBytes());
            response.setErrorCode(Errors.NONE.code()).setAuthBytes(challenge);
            if (mechanism.isComplete()) {
                String authenticated = mechanism.authenticatedUser();
                if (reauthenticating && !authenticated.equals(user)) {
                    throw SaslAuthenticationFailure.toldToClient(String.format(
                            "Cannot change principals during re-authentication from %s.%s: %s.%s", "User", user,
                            "User", authenticated));
                }
                user = authenticated;
                state = State.COMPLETE;
                mechanism = null;
                long lifetimeMs = config.reauthenticationMaxMs();
                sessionExpiryMs = lifetimeMs > 0 ? nowMs + lifetimeMs : Long.MAX_VALUE;
                if (version >= 1) {
                    response.setSessionLifetimeMs(lifetimeMs);
                }
            }
            return new SaslDecision.Respond(response, null);
        } catch (SaslAuthenticationFailure e) {
            state = State.FAILED;
            String message = e.clientMessage(mechanismName, reauthenticating);
            response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(message)
                    .setAuthBytes(new byte[0]);
            return new SaslDecision.Respond(response, message.equals(e.getMessage()) ? message
                    : message + " (" + e.getMessage() + ")");
        }
    }

    private SaslDecision fail(String reason) {
        state = State.FAILED;
        return new SaslDecision.Close(reason);
    }
}
