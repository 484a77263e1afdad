package io.fjord.broker.security.sasl;

import io.fjord.protocol.message.ApiMessage;

/** What a connection does with a request, as its {@link SaslAuthenticator} decides. Immutable. */
public sealed interface SaslDecision {
    /** Pass the request on to the broker's handlers. */
    record Dispatch() implements SaslDecision {
    }

    /**
     * Answer the request with {@code response}; when {@code failure} is not null the authentication failed: log it
     * and close the connection once the response is sent.
     */
    record Respond(ApiMessage response, String failure) implements SaslDecision {
    }

    /** Close the connection without an answer, logging {@code reason}. */
    record Close(String reason) implements SaslDecision {
    }
}
