package io.fjord.metadata.sim;

import io.fjord.metadata.controller.BrokerHeartbeatTracker;
import io.fjord.metadata.controller.ClusterControl;
import io.fjord.metadata.controller.ClusterMaintenance;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.quorum.MetadataEntries;
import io.fjord.protocol.Errors;
import io.fjord.raft.ProposeResult;
import io.fjord.raft.RaftNode;
import io.fjord.raft.Role;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The controller of one simulated voter process, as {@code QuorumController} runs it: the production decision
 * classes ({@link ClusterControl} with its {@link BrokerHeartbeatTracker}, {@link ReplicationControl},
 * {@link TopicControl}, {@link ClusterMaintenance}) behind a queue of operations run one at a time. An operation runs
 * only while the node leads and its applied image holds its epoch's LEADER_CHANGE entry (everything committed before
 * the epoch); the first operation of an epoch activates the maintenance (fresh leases). Its records become one Raft
 * entry, and its reply leaves once this node has applied that entry; a lost leadership refuses the operation in
 * flight and the queued ones (NOT_CONTROLLER), and the caller retries.
 *
 * <p>Not thread-safe: used by the simulation's one thread. One instance per process life (its soft state dies with
 * the process).
 */
final class SimController {
    /** Operations queued at most; more are refused (a controller's queue is bounded too). */
    private static final int QUEUE_MAX = 1_000;

    /** One submitted operation: how it decides, where its response goes, and who hears of a refusal. */
    record Operation(String name, Function<MetadataImage, ControllerResult<?>> decide, Consumer<Object> reply,
                     Consumer<Errors> refuse, boolean onlyIfActive) {
    }

    private final int nodeId;
    final TopicControl topics;
    final ReplicationControl replication;
    final ClusterControl cluster;
    final ClusterMaintenance maintenance;
    private final Deque<Operation> queue = new ArrayDeque<>();
    private Operation inFlight;
    private Object inFlightResponse;
    private long inFlightOffset;
    private int inFlightEpoch;
    private int activatedEpoch = -1;
    private boolean periodicQueued;
    /** Operations and checks finished (answered or refused): the controller re-arms its timer after each. */
    private long finished;

    SimController(int nodeId, String clusterId, long sessionTimeoutMs, boolean uncleanLeaderElectionEnable,
                  LongSupplier clockMs, Random placement, long seed) {
        this.nodeId = nodeId;
        this.replication = new ReplicationControl(new ReplicationControl.Settings(uncleanLeaderElectionEnable, 10));
        this.cluster = new ClusterControl(new ClusterControl.Settings(clusterId),
                new BrokerHeartbeatTracker(sessionTimeoutMs), replication);
        this.maintenance = new ClusterMaintenance(new ClusterMaintenance.Settings(sessionTimeoutMs, true, 20_000),
                cluster, replication, () -> Instant.ofEpochMilli(clockMs.getAsLong()));
        long[] nextTopicId = {0};
        // Replicated partitions: their placement and elections are what is simulated.
        this.topics = new TopicControl(new TopicControl.Defaults(3, (short) 1, true), overrides -> java.util.Optional
                .empty(), () -> new UUID(seed, (((long) nodeId) << 32) | nextTopicId[0]++), placement);
    }

    void submit(Operation operation) {
        if (queue.size() >= QUEUE_MAX) {
            operation.refuse().accept(Errors.THROTTLING_QUOTA_EXCEEDED);
            return;
        }
        queue.add(operation);
    }

    /** The timer's check, queued unless one is queued and not started yet (as QuorumController's timer). */
    void submitPeriodic() {
        if (periodicQueued) {
            return;
        }
        periodicQueued = true;
        submit(new Operation("periodic", image -> {
            periodicQueued = false;
            return maintenance.periodic(image);
        }, ignored -> periodicQueued = false, ignored -> periodicQueued = false, true));
    }

    /** How many operations and checks finished so far. */
    long finished() {
        return finished;
    }

    /**
     * When QuorumController arms its timer after an operation: at the maintenance's next deadline while this node is
     * the activated controller, and at most a period away.
     */
    long nextCheckDelayMs(RaftNode raft, NodeMetadata applied) {
        long delayMs = maintenance.periodMs();
        if (raft.role() == Role.LEADER && raft.epoch() == activatedEpoch) {
            delayMs = Math.min(delayMs, maintenance.nextCheckDelayMs(applied.image));
        }
        return delayMs;
    }

    /**
     * Runs what can run given the node's Raft state and applied metadata; returns whether it proposed an entry (the
     * caller then drains the node).
     */
    boolean run(RaftNode raft, NodeMetadata applied, SimTrace trace) {
        boolean proposed = false;
        while (true) {
            if (inFlight != null) {
                if (raft.role() != Role.LEADER || raft.epoch() != inFlightEpoch) {
                    trace.note("controller n" + nodeId + " lost its leadership: " + inFlight.name()
                            + " refused, its entry at " + inFlightOffset + " may still commit");
                    Operation lost = inFlight;
                    inFlight = null;
                    finished++;
                    lost.refuse().accept(Errors.NOT_CONTROLLER);
                    continue;
                }
                if (applied.appliedEndOffset <= inFlightOffset) {
                    return proposed;
                }
                Operation done = inFlight;
                inFlight = null;
                finished++;
                done.reply().accept(inFlightResponse);
                continue;
            }
            Operation next = queue.peek();
            if (next == null) {
                return proposed;
            }
            boolean leader = raft.role() == Role.LEADER;
            boolean begun = leader && applied.leaderChangeEpoch >= raft.epoch();
            if (!leader || (next.onlyIfActive() && !begun)) {
                queue.poll();
                if (next.onlyIfActive()) {
                    finished++;
                    next.reply().accept(null);
                } else {
                    finished++;
                    next.refuse().accept(Errors.NOT_CONTROLLER);
                }
                continue;
            }
            if (!begun) {
                return proposed; // waits for its epoch to begin in the applied image
            }
            queue.poll();
            if (activatedEpoch != raft.epoch()) {
                maintenance.activated(applied.image);
                activatedEpoch = raft.epoch();
                trace.note("controller n" + nodeId + " active in epoch " + activatedEpoch + " at image offset "
                        + applied.image.offset());
            }
            ControllerResult<?> result = next.decide().apply(applied.image);
            if (result.records().isEmpty()) {
                finished++;
                next.reply().accept(result.response());
                continue;
            }
            ProposeResult proposal = raft.propose(List.of(MetadataEntries.encode(result.records())));
            if (proposal.error() != Errors.NONE) {
                finished++;
                next.refuse().accept(proposal.error());
                continue;
            }
            trace.note("controller n" + nodeId + " proposes " + next.name() + " at " + proposal.lastOffset() + ": "
                    + result.records());
            inFlight = next;
            inFlightResponse = result.response();
            inFlightOffset = proposal.lastOffset();
            inFlightEpoch = proposal.epoch();
            proposed = true;
        }
    }

    /** What a node's metadata loader has applied: the image, the end offset, the newest epoch begun. */
    static final class NodeMetadata {
        MetadataImage image = MetadataImage.EMPTY;
        long appliedEndOffset;
        int leaderChangeEpoch = -1;
    }
}
