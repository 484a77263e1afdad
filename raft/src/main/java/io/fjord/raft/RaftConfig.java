package io.fjord.raft;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of one replica, with Kafka's names and defaults where Kafka has them ({@code quorum.*}).
 *
 * @param nodeId this replica's id
 * @param voterIds the static voters of the quorum ({@code controller.quorum.voters}): the voter set until a VOTERS
 *     entry or a snapshot says otherwise (KIP-853; see {@link VoterSet})
 * @param electionTimeoutMs {@code quorum.election.timeout.ms}: an election starts after a random time in
 *     [electionTimeoutMs, 2 * electionTimeoutMs) without a leader
 * @param fetchTimeoutMs {@code quorum.fetch.timeout.ms}: a follower that has not heard from its leader for this long
 *     starts an election; a leader that has not been fetched from by a majority for 1.5 times this long resigns
 *     (check-quorum, as Kafka does)
 * @param electionBackoffMaxMs {@code quorum.election.backoff.max.ms}: bound of the random back-off after a lost
 *     election, and spacing of successors after an EndQuorumEpoch
 * @param requestTimeoutMs {@code quorum.request.timeout.ms}: a request without an answer by then is sent again
 * @param fetchMaxWaitMs how long a leader may hold a fetch that finds nothing new (Kafka's KRaft uses 500 ms)
 * @param fetchMaxBytes the byte limit of one fetch response (at least one entry is always returned)
 * @param maxProposalEntries the most entries one proposal may carry
 * @param maxEntryBytes the largest payload of one entry
 * @param bootstrapServerCount how many {@code controller.quorum.bootstrap.servers} a replica of a dynamic quorum
 *     (KIP-853, no static voters) may ask for the leader; the core names them by {@link #bootstrapId(int)}, ids
 *     below every replica's that the transport maps to their addresses
 * @param localEndpoints where this replica listens for the other replicas (its controller listener, KIP-853): what
 *     it tells the leader in UpdateRaftVoter and writes for itself into the voter set when it leads; empty when
 *     unknown (a replica without a listener, or tests), and then it sends no UpdateRaftVoter
 *
 * <p>Immutable; thread-safe.
 */
public record RaftConfig(int nodeId, Set<Integer> voterIds, int electionTimeoutMs, int fetchTimeoutMs,
        int electionBackoffMaxMs, int requestTimeoutMs, int fetchMaxWaitMs, int fetchMaxBytes,
        int maxProposalEntries, int maxEntryBytes, int bootstrapServerCount, List<VoterEndpoint> localEndpoints) {

    public static final int DEFAULT_ELECTION_TIMEOUT_MS = 1000;
    public static final int DEFAULT_FETCH_TIMEOUT_MS = 2000;
    public static final int DEFAULT_ELECTION_BACKOFF_MAX_MS = 1000;
    public static final int DEFAULT_REQUEST_TIMEOUT_MS = 2000;
    public static final int DEFAULT_FETCH_MAX_WAIT_MS = 500;
    public static final int DEFAULT_FETCH_MAX_BYTES = 8 * 1024 * 1024;
    public static final int DEFAULT_MAX_PROPOSAL_ENTRIES = 10_000;
    public static final int DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;
    /** The most bootstrap servers a replica asks. */
    public static final int BOOTSTRAP_SERVERS_MAX = 64;
    /** The id of the first bootstrap server (the next ones count down from it). */
    private static final int FIRST_BOOTSTRAP_ID = -100;

    public RaftConfig {
        voterIds = Set.copyOf(new TreeSet<>(voterIds));
        localEndpoints = List.copyOf(localEndpoints);
        require(nodeId >= 0, "nodeId must be >= 0");
        require(!voterIds.isEmpty() || bootstrapServerCount > 0,
                "a replica needs static voters or bootstrap servers");
        require(bootstrapServerCount >= 0 && bootstrapServerCount <= BOOTSTRAP_SERVERS_MAX,
                "bootstrapServerCount must be in [0, " + BOOTSTRAP_SERVERS_MAX + "]");
        require(voterIds.stream().allMatch(id -> id >= 0), "voter ids must be >= 0");
        require(electionTimeoutMs > 0, "electionTimeoutMs must be > 0");
        require(fetchTimeoutMs > 0, "fetchTimeoutMs must be > 0");
        require(electionBackoffMaxMs > 0, "electionBackoffMaxMs must be > 0");
        require(requestTimeoutMs > 0, "requestTimeoutMs must be > 0");
        require(fetchMaxWaitMs >= 0 && fetchMaxWaitMs < fetchTimeoutMs, "fetchMaxWaitMs must be in [0, fetchTimeoutMs)");
        require(fetchMaxBytes > 0, "fetchMaxBytes must be > 0");
        require(maxProposalEntries > 0, "maxProposalEntries must be > 0");
        require(maxEntryBytes > 0, "maxEntryBytes must be > 0");
    }

    /** A replica whose own endpoints are not known to the core. */
    public RaftConfig(int nodeId, Set<Integer> voterIds, int electionTimeoutMs, int fetchTimeoutMs,
            int electionBackoffMaxMs, int requestTimeoutMs, int fetchMaxWaitMs, int fetchMaxBytes,
            int maxProposalEntries, int maxEntryBytes, int bootstrapServerCount) {
        this(nodeId, voterIds, electionTimeoutMs, fetchTimeoutMs, electionBackoffMaxMs, requestTimeoutMs,
                fetchMaxWaitMs, fetchMaxBytes, maxProposalEntries, maxEntryBytes, bootstrapServerCount, List.of());
    }

    /** A replica of a static quorum (no bootstrap servers). */
    public RaftConfig(int nodeId, Set<Integer> voterIds, int electionTimeoutMs, int fetchTimeoutMs,
            int electionBackoffMaxMs, int requestTimeoutMs, int fetchMaxWaitMs, int fetchMaxBytes,
            int maxProposalEntries, int maxEntryBytes) {
        this(nodeId, voterIds, electionTimeoutMs, fetchTimeoutMs, electionBackoffMaxMs, requestTimeoutMs,
                fetchMaxWaitMs, fetchMaxBytes, maxProposalEntries, maxEntryBytes, 0);
    }

    /** The core's id for bootstrap server {@code index} (from 0): negative, never a replica's or an admin's. */
    public static int bootstrapId(int index) {
        return FIRST_BOOTSTRAP_ID - index;
    }

    /** Whether {@code id} names a bootstrap server rather than a replica. */
    public static boolean isBootstrapId(int id) {
        return id <= FIRST_BOOTSTRAP_ID && id > FIRST_BOOTSTRAP_ID - BOOTSTRAP_SERVERS_MAX;
    }

    /** This configuration for a dynamic quorum: no static voters, {@code count} bootstrap servers. */
    public RaftConfig withBootstrapServers(int count) {
        return new RaftConfig(nodeId, Set.of(), electionTimeoutMs, fetchTimeoutMs, electionBackoffMaxMs,
                requestTimeoutMs, fetchMaxWaitMs, fetchMaxBytes, maxProposalEntries, maxEntryBytes, count,
                localEndpoints);
    }

    /** A configuration with Kafka's default timeouts. */
    public static RaftConfig withDefaults(int nodeId, Set<Integer> voterIds) {
        return new RaftConfig(nodeId, voterIds, DEFAULT_ELECTION_TIMEOUT_MS, DEFAULT_FETCH_TIMEOUT_MS,
                DEFAULT_ELECTION_BACKOFF_MAX_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_FETCH_MAX_WAIT_MS,
                DEFAULT_FETCH_MAX_BYTES, DEFAULT_MAX_PROPOSAL_ENTRIES, DEFAULT_MAX_ENTRY_BYTES);
    }

    /** Whether this replica is one of the static voters (the voter set in force is {@link RaftNode#voters()}). */
    public boolean isVoter() {
        return voterIds.contains(nodeId);
    }

    /** The number of static voters that makes a majority. */
    public int majority() {
        return voterIds.size() / 2 + 1;
    }

    /** Check-quorum's bound: a leader resigns when a majority has not fetched for this long (Kafka: 1.5 x fetch). */
    public long checkQuorumTimeoutMs() {
        return fetchTimeoutMs * 3L / 2;
    }

    public RaftConfig withTimeouts(int electionTimeoutMs, int fetchTimeoutMs, int electionBackoffMaxMs,
            int requestTimeoutMs, int fetchMaxWaitMs) {
        return new RaftConfig(nodeId, voterIds, electionTimeoutMs, fetchTimeoutMs, electionBackoffMaxMs,
                requestTimeoutMs, fetchMaxWaitMs, fetchMaxBytes, maxProposalEntries, maxEntryBytes,
                bootstrapServerCount, localEndpoints);
    }

    public RaftConfig withFetchMaxBytes(int fetchMaxBytes) {
        return new RaftConfig(nodeId, voterIds, electionTimeoutMs, fetchTimeoutMs, electionBackoffMaxMs,
                requestTimeoutMs, fetchMaxWaitMs, fetchMaxBytes, maxProposalEntries, maxEntryBytes,
                bootstrapServerCount, localEndpoints);
    }

    public RaftConfig withNodeId(int nodeId) {
        return new RaftConfig(nodeId, voterIds, electionTimeoutMs, fetchTimeoutMs, electionBackoffMaxMs,
                requestTimeoutMs, fetchMaxWaitMs, fetchMaxBytes, maxProposalEntries, maxEntryBytes,
                bootstrapServerCount, localEndpoints);
    }

    /** This configuration with this replica's own endpoints (see {@code localEndpoints}). */
    public RaftConfig withLocalEndpoints(List<VoterEndpoint> endpoints) {
        return new RaftConfig(nodeId, voterIds, electionTimeoutMs, fetchTimeoutMs, electionBackoffMaxMs,
                requestTimeoutMs, fetchMaxWaitMs, fetchMaxBytes, maxProposalEntries, maxEntryBytes,
                bootstrapServerCount, endpoints);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
