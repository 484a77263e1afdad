package io.fjord.raft;

import io.fjord.protocol.Errors;
import java.util.Objects;

/**
 * Kafka's ApiVersionsResponse as a voter-to-be answers the leader: its error and the {@code kraft.version} range its
 * ApiVersions answer lists among its SupportedFeatures ({@code null} when it lists none).
 *
 * <p>Immutable; thread-safe.
 */
public record ApiVersionsResponse(int source, int destination, int correlationId, Errors error,
        KraftVersionRange supportedKraftVersions) implements RaftMessage {

    public ApiVersionsResponse {
        Objects.requireNonNull(error, "error");
    }
}
