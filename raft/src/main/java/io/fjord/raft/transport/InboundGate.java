package io.fjord.raft.transport;

import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiKey;

/**
 * The authentication of one connection accepted by a controller listener (SASL on a SASL_PLAINTEXT listener): asked
 * about every decoded request before the listener serves it. Implementations are pure (time comes in); not
 * thread-safe: one per connection, used on its event loop.
 */
public interface InboundGate {
    Decision onRequest(ApiKey api, short version, ApiMessage body, long nowMs);

    /** The user the connection authenticated as; null until it has. */
    default String user() {
        return null;
    }

    /** What the connection does with a request. Immutable. */
    sealed interface Decision {
        /** Serve the request. */
        record Dispatch() implements Decision {
        }

        /** Answer with {@code response}; a non-null {@code failure} is logged and the connection closed after it. */
        record Respond(ApiMessage response, String failure) implements Decision {
        }

        /** Close the connection without an answer, logging {@code reason}. */
        record Close(String reason) implements Decision {
        }
    }
}
