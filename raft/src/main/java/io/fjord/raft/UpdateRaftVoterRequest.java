package io.fjord.raft;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Kafka's UpdateRaftVoterRequest (API 82, KIP-853): voter ({@code voterId}, {@code voterDirectoryId}) tells the
 * leader of {@code currentLeaderEpoch} where it listens now ({@code listeners}) and which {@code kraft.version}
 * levels its software supports ({@code minSupportedKraftVersion} to {@code maxSupportedKraftVersion}, the schema's
 * KRaftVersionFeature). A voter sends it after it starts following a leader; the ClusterId is the transport's
 * business.
 *
 * <p>Immutable; thread-safe.
 */
public record UpdateRaftVoterRequest(int source, int destination, int correlationId, int currentLeaderEpoch,
        int voterId, UUID voterDirectoryId, List<VoterEndpoint> listeners, short minSupportedKraftVersion,
        short maxSupportedKraftVersion) implements RaftMessage {

    public UpdateRaftVoterRequest {
        Objects.requireNonNull(voterDirectoryId, "voterDirectoryId");
        listeners = List.copyOf(listeners);
    }
}
