package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.EntryType;
import io.fjord.raft.KraftVersionRange;
import io.fjord.raft.KraftVersionUpgrade;
import io.fjord.raft.LeaderAndEpoch;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.Role;
import io.fjord.raft.UpdateRaftVoterRequest;
import io.fjord.raft.UpdateRaftVoterResponse;
import io.fjord.raft.VoterEndpoint;
import io.fjord.raft.VoterSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The leader's side of UpdateRaftVoter and of the {@code kraft.version} upgrade (KIP-853, Kafka 4.4's
 * UpdateVoterHandler and {@code LeaderState.maybeAppendUpgradedKRaftVersion}).
 *
 * <p>UpdateRaftVoter, checked in Kafka's order: REQUEST_TIMED_OUT while an AddRaftVoter or RemoveRaftVoter waits for
 * its commit, while the leader has not committed an entry of its epoch, or (at {@code kraft.version} 1) while a
 * VOTERS entry is uncommitted; INVALID_REQUEST when the voter's supported {@code kraft.version} range leaves out the
 * level in force, or it names no listener; VOTER_NOT_FOUND for a replica not in the set (by id and directory id at
 * level 1, by id alone at level 0, where the set has no directory ids). Then, at level 1 the leader appends a VOTERS
 * entry with the voter's new endpoints and supported range (when either changed) and answers at once; at level 0
 * the voter set cannot change in the log, so the leader keeps what the voter said in memory for this epoch (its
 * directory id, endpoints and supported range), which is what the upgrade needs.
 *
 * <p>The upgrade from 0 to 1: the level in force is a no-op; a lower one is refused as a downgrade; it is refused
 * while a voter change waits, unless every voter told this leader in this epoch that it supports level 1, and
 * unless every voter's directory id and endpoints are known. Then (unless validate-only) the leader appends a
 * VOTERS entry holding every voter's directory id, endpoints and supported range: with directory ids in the log's
 * voter set the quorum is at {@code kraft.version} 1 (see {@link RaftCore#kraftVersion()}).
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class VoterUpdateHandler {
    /** What a voter told this leader at {@code kraft.version} 0 (or, for the leader, what it knows of itself). */
    private record KnownVoter(ReplicaKey key, List<VoterEndpoint> endpoints, short minSupported, short maxSupported) {
    }

    private final RaftCore core;
    /** At {@code kraft.version} 0: what each voter said in this epoch, by id (Kafka's volatile voters). */
    private final Map<Integer, KnownVoter> knownVoters = new TreeMap<>();

    VoterUpdateHandler(RaftCore core) {
        this.core = core;
    }

    /** A new leadership: only the leader itself is known (its directory, its endpoints, this software's levels). */
    void leadershipStarted() {
        knownVoters.clear();
        knownVoters.put(core.config.nodeId(), new KnownVoter(core.localKey, core.config.localEndpoints(), (short) 0,
                KraftVersionUpgrade.KRAFT_VERSION_MAX));
    }

    void handle(UpdateRaftVoterRequest request) {
        if (core.role != Role.LEADER) {
            respond(request, Errors.NOT_LEADER_OR_FOLLOWER);
            return;
        }
        if (request.currentLeaderEpoch() < core.epoch) {
            respond(request, Errors.FENCED_LEADER_EPOCH);
            return;
        }
        if (request.currentLeaderEpoch() > core.epoch) {
            respond(request, Errors.UNKNOWN_LEADER_EPOCH);
            return;
        }
        short kraftVersion = core.kraftVersion();
        if (core.voterChanges.hasPending() || core.highWatermark <= core.leader.epochStartOffset()
                || (kraftVersion > 0 && core.log.lastVotersOffset() >= core.highWatermark)) {
            respond(request, Errors.REQUEST_TIMED_OUT);
            return;
        }
        if (request.minSupportedKraftVersion() > kraftVersion || request.maxSupportedKraftVersion() < kraftVersion
                || request.listeners().isEmpty() || request.listeners().size() > VoterSet.MAX_ENDPOINTS) {
            respond(request, Errors.INVALID_REQUEST);
            return;
        }
        VoterSet voters = core.log.voters();
        ReplicaKey key = new ReplicaKey(request.voterId(), request.voterDirectoryId());
        boolean found = kraftVersion > 0 ? voters.key(key.id()).filter(key::equals).isPresent()
                : voters.containsId(key.id());
        if (!found) {
            respond(request, Errors.VOTER_NOT_FOUND);
            return;
        }
        if (kraftVersion > 0) {
            // The set keeps what the voter reports: where it listens and the levels its software supports.
            VoterSet updated = voters.updating(new VoterSet.Voter(key, request.listeners(), new KraftVersionRange(
                    request.minSupportedKraftVersion(), request.maxSupportedKraftVersion())));
            if (!updated.equals(voters)) {
                core.appendAsLeader(EntryType.VOTERS, updated.encode());
                core.leaderFetches.answerParked();
            }
        } else {
            knownVoters.put(key.id(), new KnownVoter(key, request.listeners(), request.minSupportedKraftVersion(),
                    request.maxSupportedKraftVersion()));
        }
        respond(request, Errors.NONE);
    }

    /** Kafka's {@code upgradeKRaftVersion} on this leader; see the class comment. */
    KraftVersionUpgrade upgrade(short level, boolean validateOnly) {
        if (core.role != Role.LEADER) {
            return KraftVersionUpgrade.refused(Errors.NOT_LEADER_OR_FOLLOWER, "node " + core.config.nodeId()
                    + " does not lead the quorum");
        }
        short current = core.kraftVersion();
        if (level == current) {
            return new KraftVersionUpgrade(Errors.NONE, null, -1);
        }
        if (level < current) {
            return KraftVersionUpgrade.refused(Errors.INVALID_UPDATE_VERSION, "Invalid upgrade of kraft.version from"
                    + " version " + current + " to " + level + " because the new version is a downgrade");
        }
        if (level > KraftVersionUpgrade.KRAFT_VERSION_MAX) {
            return KraftVersionUpgrade.refused(Errors.INVALID_UPDATE_VERSION, "Invalid upgrade of kraft.version from"
                    + " version " + current + " to " + level);
        }
        VoterSet voters = core.log.voters();
        if (core.voterChanges.hasPending() || core.log.lastVotersOffset() >= core.highWatermark
                || core.highWatermark <= core.leader.epochStartOffset()) {
            return KraftVersionUpgrade.refused(Errors.INVALID_UPDATE_VERSION, "Unable to upgrade version for"
                    + " kraft.version to " + level + " due to changing voters");
        }
        for (int id : voters.ids()) {
            KnownVoter known = knownVoters.get(id);
            // At level 0 what each voter reported in this epoch; above it, what the voter set records (Kafka's way).
            boolean supported = current == 0 ? known != null && known.minSupported() <= level
                    && known.maxSupported() >= level : voters.supportedKraftVersions(id).contains(level);
            if (!supported) {
                return KraftVersionUpgrade.refused(Errors.INVALID_UPDATE_VERSION, "Invalid upgrade of kraft.version"
                        + " to " + level + " because not all of the voters support it");
            }
        }
        List<VoterSet.Voter> upgraded = voters.ids().stream()
                .map(id -> new VoterSet.Voter(knownVoters.get(id).key(), knownVoters.get(id).endpoints(),
                        new KraftVersionRange(knownVoters.get(id).minSupported(), knownVoters.get(id).maxSupported())))
                .toList();
        if (upgraded.stream().anyMatch(voter -> voter.key().directoryId().equals(ReplicaKey.NO_DIRECTORY))) {
            return KraftVersionUpgrade.refused(Errors.INVALID_UPDATE_VERSION, "Directory id must be known for all"
                    + " of the voters: " + voters.ids());
        }
        if (upgraded.stream().anyMatch(voter -> voter.endpoints().isEmpty())) {
            return KraftVersionUpgrade.refused(Errors.INVALID_UPDATE_VERSION, "Endpoints must be known for all of"
                    + " the voters: " + voters.ids());
        }
        if (validateOnly) {
            return new KraftVersionUpgrade(Errors.NONE, null, -1);
        }
        long offset = core.log.endOffset();
        core.appendAsLeader(EntryType.VOTERS, VoterSet.ofVoters(upgraded).encode());
        if (core.role == Role.LEADER) {
            core.leaderFetches.answerParked();
        }
        return new KraftVersionUpgrade(Errors.NONE, null, offset);
    }

    /**
     * At {@code kraft.version} 1, the voter set with this leader's endpoints as they are now, if they changed (a
     * restart on another address): Kafka's leader writes it with the first entries of its epoch. Null otherwise.
     */
    VoterSet votersWithOwnEndpoints() {
        VoterSet voters = core.log.voters();
        List<VoterEndpoint> own = core.config.localEndpoints();
        if (core.kraftVersion() == 0 || own.isEmpty() || !voters.isVoter(core.localKey)
                || voters.endpoints(core.config.nodeId()).equals(own)) {
            return null;
        }
        return voters.updating(voters.key(core.config.nodeId()).orElseThrow(), own);
    }

    private void respond(UpdateRaftVoterRequest request, Errors error) {
        core.send(new UpdateRaftVoterResponse(core.config.nodeId(), request.source(), request.correlationId(), error,
                new LeaderAndEpoch(core.leaderId, core.epoch)));
    }
}
