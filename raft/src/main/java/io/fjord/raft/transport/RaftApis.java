package io.fjord.raft.transport;

import io.fjord.protocol.codec.SupportedVersions;
import io.fjord.protocol.message.ApiKey;

/**
 * The APIs and versions a Raft node's listener serves and its requests use: the KRaft versions of Kafka 4.4
 * (Vote v2 with pre-vote, KIP-996; BeginQuorumEpoch and EndQuorumEpoch v1 with leader endpoints; Fetch v17-18 with
 * replica state, topic ids and the fetcher's high watermark; FetchSnapshot v1; DescribeQuorum v0-2; AddRaftVoter v0-1, RemoveRaftVoter v0 and UpdateRaftVoter v0, served by the leader;
 * ApiVersions).
 *
 * <p>Immutable; thread-safe.
 */
public final class RaftApis implements SupportedVersions {
    public static final RaftApis INSTANCE = new RaftApis();

    private RaftApis() {
    }

    /** The version this node sends a request of {@code apiKey} at. */
    public static short requestVersion(ApiKey apiKey) {
        return switch (apiKey) {
            case VOTE -> 2;
            case BEGIN_QUORUM_EPOCH, END_QUORUM_EPOCH, FETCH_SNAPSHOT -> 1;
            case FETCH -> 18;
            case DESCRIBE_QUORUM -> 2;
            case UPDATE_RAFT_VOTER -> 0;
            case API_VERSIONS -> 4;
            default -> throw new IllegalArgumentException("not a Raft API: " + apiKey);
        };
    }

    public static short lowestVersion(ApiKey apiKey) {
        return switch (apiKey) {
            case VOTE -> 2;
            case BEGIN_QUORUM_EPOCH, END_QUORUM_EPOCH, FETCH_SNAPSHOT -> 1;
            case FETCH -> 17;
            case DESCRIBE_QUORUM, API_VERSIONS, ADD_RAFT_VOTER, REMOVE_RAFT_VOTER, UPDATE_RAFT_VOTER -> 0;
            default -> -1;
        };
    }

    public static short highestVersion(ApiKey apiKey) {
        return switch (apiKey) {
            case API_VERSIONS -> 4;
            case ADD_RAFT_VOTER -> 1;
            case REMOVE_RAFT_VOTER, UPDATE_RAFT_VOTER -> 0;
            case VOTE, DESCRIBE_QUORUM, BEGIN_QUORUM_EPOCH, END_QUORUM_EPOCH, FETCH, FETCH_SNAPSHOT ->
                    requestVersion(apiKey);
            default -> -1;
        };
    }

    @Override
    public boolean supports(ApiKey apiKey, short version) {
        short lowest = lowestVersion(apiKey);
        return lowest >= 0 && version >= lowest && version <= highestVersion(apiKey);
    }
}
