package io.fjord.broker.coordinator.group;

import io.fjord.broker.coordinator.group.internal.ClassicGroup;
import io.fjord.broker.coordinator.group.internal.ClassicGroupMember;
import io.fjord.broker.coordinator.group.internal.ConsumerGroup;
import io.fjord.broker.coordinator.group.internal.ConsumerGroupAdmin;
import io.fjord.broker.coordinator.group.internal.ConsumerGroupHeartbeatHandler;
import io.fjord.broker.coordinator.group.internal.ConsumerGroupOperations;
import io.fjord.broker.coordinator.group.internal.Effects;
import io.fjord.broker.coordinator.group.internal.GroupAdminHandler;
import io.fjord.broker.coordinator.group.internal.GroupStore;
import io.fjord.broker.coordinator.group.internal.HeartbeatHandler;
import io.fjord.broker.coordinator.group.internal.JoinGroupHandler;
import io.fjord.broker.coordinator.group.internal.LeaveGroupHandler;
import io.fjord.broker.coordinator.group.internal.OffsetCommitHandler;
import io.fjord.broker.coordinator.group.internal.OffsetDeleteHandler;
import io.fjord.broker.coordinator.group.internal.OffsetExpiry;
import io.fjord.broker.coordinator.group.internal.OffsetFetchHandler;
import io.fjord.broker.coordinator.group.internal.Rebalancer;
import io.fjord.broker.coordinator.group.internal.SyncGroupHandler;
import io.fjord.broker.coordinator.group.internal.Timers;
import io.fjord.broker.coordinator.group.internal.TxnOffsetCommitHandler;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.CoordinatorRecordSerde;
import io.fjord.broker.coordinator.group.records.UnknownRecordTypeException;
import io.fjord.broker.coordinator.runtime.CoordinatorShard;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ConsumerGroupDescribeRequestData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.HeartbeatRequestData;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.LeaveGroupRequestData;
import io.fjord.protocol.message.ListGroupsRequestData;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetDeleteRequestData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.SyncGroupRequestData;
import io.fjord.protocol.message.SyncGroupResponseData;
import io.fjord.protocol.message.TxnOffsetCommitRequestData;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The group coordinator of one {@code __consumer_offsets} partition, as a deterministic state machine. Every call
 * takes the time and returns a {@link CoordinatorResult}: records to append to the partition and replies to release
 * once those records are durable. Durable state (committed offsets, each group's GroupMetadata) changes only by
 * applying records, the same way whether they were just produced or are being replayed from the log, so a new
 * leader rebuilds it with {@link #replay} and {@link #activate}. Rebalance progress (members waiting in JoinGroup
 * or SyncGroup) is in memory only, as in Kafka; after a change of coordinator members rejoin. KIP-848 consumer
 * groups ({@code group.protocol=consumer}) are durable entirely: their members, epochs and assignments are records.
 *
 * <p>Life cycle for the driver: construct; {@link #replay} every record of the partition (answering
 * COORDINATOR_LOAD_IN_PROGRESS meanwhile); {@link #activate}; then handler calls and {@link #pollTimers} at or after
 * {@link #nextTimerDeadlineMs}, and {@link #onMetadataUpdate} with each new metadata image (its records too are to
 * be appended); on losing leadership or a failed append, {@link #deactivate} and drop the shard.
 * Records returned by a handler are already applied: do not replay them into the same shard.
 *
 * <p>Not thread-safe: one thread owns a shard. Starts no threads; time and randomness (member ids) are injected.
 */
public final class GroupCoordinatorShard implements CoordinatorShard<CoordinatorRecord> {
    private final GroupCoordinatorConfig config;
    private final GroupStore store = new GroupStore();
    private final Timers timers = new Timers();
    private final Rebalancer rebalancer;
    private final JoinGroupHandler joinGroup;
    private final SyncGroupHandler syncGroup;
    private final HeartbeatHandler heartbeat;
    private final LeaveGroupHandler leaveGroup;
    private final OffsetCommitHandler offsetCommit;
    private final TxnOffsetCommitHandler txnOffsetCommit;
    private final OffsetFetchHandler offsetFetch;
    private final OffsetDeleteHandler offsetDelete;
    private final GroupAdminHandler admin;
    private final OffsetExpiry offsetExpiry;
    private final ConsumerGroupOperations consumerGroups;
    private final ConsumerGroupHeartbeatHandler consumerGroupHeartbeat;
    private final ConsumerGroupAdmin consumerGroupAdmin;
    private boolean active;

    public GroupCoordinatorShard(GroupCoordinatorConfig config, TopicIdResolver topics, RandomGenerator random) {
        this(config, ConsumerGroupConfig.defaults(), topics, random);
    }

    /**
     * @param topics the cluster's topics now; a {@link TopicMetadataView} gives KIP-848 groups partition counts
     *        and regex matches (a plain resolver leaves them without partitions until {@link #onMetadataUpdate})
     */
    public GroupCoordinatorShard(GroupCoordinatorConfig config, ConsumerGroupConfig consumerConfig,
            TopicIdResolver topics, RandomGenerator random) {
        this(config, consumerConfig, ConsumerGroupSettings.fixed(consumerConfig), topics, random);
    }

    /**
     * @param settings each KIP-848 group's settings: {@code consumerConfig} with the group's own session timeout and
     *        heartbeat interval (Kafka's group configs), read at every heartbeat
     */
    public GroupCoordinatorShard(GroupCoordinatorConfig config, ConsumerGroupConfig consumerConfig,
            ConsumerGroupSettings settings, TopicIdResolver topics, RandomGenerator random) {
        this.config = config;
        this.consumerGroups = new ConsumerGroupOperations(consumerConfig, settings, store, timers,
                TopicMetadataView.of(topics));
        this.consumerGroupHeartbeat = new ConsumerGroupHeartbeatHandler(store, consumerGroups, random);
        this.consumerGroupAdmin = new ConsumerGroupAdmin(config, store, consumerGroups);
        this.rebalancer = new Rebalancer(config, store, timers);
        this.joinGroup = new JoinGroupHandler(config, store, rebalancer, random);
        this.syncGroup = new SyncGroupHandler(store, rebalancer);
        this.heartbeat = new HeartbeatHandler(store, rebalancer);
        this.leaveGroup = new LeaveGroupHandler(store, rebalancer);
        this.offsetCommit = new OffsetCommitHandler(config, store, topics);
        this.txnOffsetCommit = new TxnOffsetCommitHandler(config, store, topics);
        this.offsetFetch = new OffsetFetchHandler(store, topics);
        this.offsetDelete = new OffsetDeleteHandler(store);
        this.admin = new GroupAdminHandler(store, rebalancer, consumerGroupAdmin);
        this.offsetExpiry = new OffsetExpiry(config, store);
    }

    /**
     * Applies one record read from the partition while loading, or committed, in a shard that serves as the
     * runtime's committed view (never activated; it answers OffsetFetch and ConsumerGroupDescribe).
     */
    @Override
    public void replay(CoordinatorRecord record) {
        requireLoading();
        store.replay(record);
    }

    /**
     * Applies one record of {@code producerId}'s transactional batch while loading (or in the committed view): an
     * offset commit stays pending until the producer's marker.
     */
    @Override
    public void replayTransactional(long producerId, short producerEpoch, CoordinatorRecord record) {
        requireLoading();
        store.replayTransactional(producerId, record);
    }

    /**
     * The producer's transaction marker in this partition: its pending offsets become the committed ones (COMMIT,
     * each unless a later commit of the partition is already there) or are dropped (ABORT). While loading and in the
     * view as it is read; on the live shard once the runtime has written the marker.
     */
    @Override
    public void replayEndTransaction(long producerId, short producerEpoch, boolean commit) {
        store.replayEndTransaction(producerId, commit);
    }

    /**
     * Applies one record in its bytes; records of types Fjord does not read (share and streams groups) are
     * skipped, as Kafka skips unknown types.
     *
     * @param value null for a tombstone
     * @throws io.fjord.broker.coordinator.group.records.CoordinatorRecordException for damaged bytes
     */
    public void replay(ByteBuffer key, ByteBuffer value) {
        CoordinatorRecord record;
        try {
            record = CoordinatorRecordSerde.deserialize(key, value);
        } catch (UnknownRecordTypeException skipped) {
            return;
        }
        replay(record);
    }

    /**
     * Ends loading: groups with members come back Stable with fresh session deadlines, and offset expiry is
     * scheduled.
     */
    @Override
    public CoordinatorResult activate(long nowMs) {
        requireLoading();
        active = true;
        for (ClassicGroup group : store.groups()) {
            group.loadFromPersisted();
        }
        for (ClassicGroup group : store.groups()) {
            rebalancer.scheduleSessionDeadlines(group, nowMs);
        }
        consumerGroups.scheduleAfterLoad(nowMs);
        scheduleOffsetExpiry(nowMs);
        return CoordinatorResult.EMPTY;
    }


    private void scheduleOffsetExpiry(long nowMs) {
        timers.schedule("offset-expiry", nowMs + config.offsetsRetentionCheckIntervalMs(), effects -> {
            offsetExpiry.run(effects);
            consumerGroupAdmin.expire(effects);
            scheduleOffsetExpiry(effects.nowMs());
        });
    }

    /**
     * Answers every request still waiting (JoinGroup, SyncGroup) with NOT_COORDINATOR, for when the partition's
     * leadership moves; the shard is then dropped.
     */
    @Override
    public CoordinatorResult deactivate(long nowMs) {
        Effects effects = new Effects(nowMs, store);
        for (ClassicGroup group : store.groups()) {
            for (ClassicGroupMember member : group.members()) {
                if (member.isAwaitingJoin()) {
                    effects.reply(member.awaitingJoin().requestId(), new JoinGroupResponseData()
                            .setMemberId(member.memberId()).setLeader("").setProtocolName("")
                            .setErrorCode(Errors.NOT_COORDINATOR.code()));
                }
                if (member.isAwaitingSync()) {
                    effects.reply(member.awaitingSync().requestId(), new SyncGroupResponseData()
                            .setAssignment(new byte[0]).setErrorCode(Errors.NOT_COORDINATOR.code()));
                }
            }
        }
        timers.clear();
        active = false;
        return effects.result();
    }

    /**
     * JoinGroup; for the id of a KIP-848 group: an Empty one is deleted first (its offsets stay) and the classic
     * group takes its place, a non-empty one answers INCONSISTENT_GROUP_PROTOCOL (Kafka would let the classic
     * member join it through the KIP-848 interoperability, which Fjord does not have).
     */
    public CoordinatorResult joinGroup(RequestContext context, JoinGroupRequestData request, long nowMs) {
        return run(nowMs, effects -> {
            if (consumerGroupAdmin.giveWayToClassicGroup(request.groupId(), effects)) {
                joinGroup.handle(context, request, effects);
            } else {
                effects.reply(context.requestId(), new JoinGroupResponseData().setMemberId("").setLeader("")
                        .setProtocolName(null).setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()));
            }
        });
    }

    /** ConsumerGroupHeartbeat (KIP-848), all versions. */
    public CoordinatorResult consumerGroupHeartbeat(RequestContext context, ConsumerGroupHeartbeatRequestData request,
            long nowMs) {
        return run(nowMs, effects -> consumerGroupHeartbeat.handle(context, request, effects));
    }

    /** Describes KIP-848 groups of this shard (the driver splits the request by shard). */
    public CoordinatorResult consumerGroupDescribe(RequestContext context, ConsumerGroupDescribeRequestData request,
            long nowMs) {
        return read(nowMs, effects -> consumerGroupAdmin.describe(context, request, effects));
    }

    /**
     * The cluster metadata changed: KIP-848 groups re-resolve their subscription regular expressions and, when
     * their subscribed topics changed (created, deleted, more partitions), bump their epoch for a new target
     * assignment. While loading, only the view is taken.
     */
    public CoordinatorResult onMetadataUpdate(TopicMetadataView view, long nowMs) {
        if (!active) {
            consumerGroups.setTopicsWhileLoading(view);
            return CoordinatorResult.EMPTY;
        }
        return run(nowMs, effects -> consumerGroups.onMetadataUpdate(view, effects));
    }

    public CoordinatorResult syncGroup(RequestContext context, SyncGroupRequestData request, long nowMs) {
        return run(nowMs, effects -> syncGroup.handle(context, request, effects));
    }

    public CoordinatorResult heartbeat(RequestContext context, HeartbeatRequestData request, long nowMs) {
        return run(nowMs, effects -> heartbeat.handle(context, request, effects));
    }

    public CoordinatorResult leaveGroup(RequestContext context, LeaveGroupRequestData request, long nowMs) {
        return run(nowMs, effects -> leaveGroup.handle(context, request, effects));
    }

    public CoordinatorResult offsetCommit(RequestContext context, OffsetCommitRequestData request, long nowMs) {
        return run(nowMs, effects -> offsetCommit.handle(context, request, effects));
    }

    /**
     * TxnOffsetCommit: the records it returns belong to the request's producer's transaction (the runtime writes them
     * as its transactional batch) and are pending until the producer's marker.
     */
    public CoordinatorResult txnOffsetCommit(RequestContext context, TxnOffsetCommitRequestData request, long nowMs) {
        return run(nowMs, effects -> txnOffsetCommit.handle(context, request, effects));
    }

    /**
     * OffsetFetch for the groups of this shard (a v8+ request naming groups of several shards is split by the
     * driver, one shard's groups per call, and the responses' groups concatenated).
     */
    public CoordinatorResult offsetFetch(RequestContext context, OffsetFetchRequestData request, long nowMs) {
        return read(nowMs, effects -> offsetFetch.handle(context, request, effects));
    }

    public CoordinatorResult offsetDelete(RequestContext context, OffsetDeleteRequestData request, long nowMs) {
        return run(nowMs, effects -> offsetDelete.handle(context, request, effects));
    }

    /**
     * This shard's groups, run on the committed view (the driver merges the lists of all shards it leads): as in
     * Kafka, the groups that exist as of the last committed offset, KIP-848 groups in their committed state, classic
     * groups in the rebalance state of {@code live}'s group (which no record holds), unless it is gone there.
     */
    public CoordinatorResult listGroups(RequestContext context, ListGroupsRequestData request,
            GroupCoordinatorShard live, long nowMs) {
        return read(nowMs, effects -> admin.list(context, request, live.store, effects));
    }

    /** Describes groups of this shard, run on the committed view as {@link #listGroups} is. */
    public CoordinatorResult describeGroups(RequestContext context, DescribeGroupsRequestData request,
            GroupCoordinatorShard live, long nowMs) {
        return read(nowMs, effects -> admin.describe(context, request, live.store, effects));
    }

    /** Deletes groups of this shard (the driver splits the request by shard). */
    public CoordinatorResult deleteGroups(RequestContext context, DeleteGroupsRequestData request, long nowMs) {
        return run(nowMs, effects -> admin.delete(context, request, effects));
    }

    /** Runs the timers due at {@code nowMs}: session and rebalance timeouts, initial delays, offset expiry. */
    @Override
    public CoordinatorResult pollTimers(long nowMs) {
        return run(nowMs, timers::poll);
    }

    /** When {@link #pollTimers} next has work, or {@link Long#MAX_VALUE}. */
    @Override
    public long nextTimerDeadlineMs() {
        return timers.nextDeadlineMs();
    }

    /** The durable state, equal for shards that applied the same records (tests, diagnostics). */
    public GroupStore.DurableState durableState() {
        return store.durableState();
    }

    /** The group's live view, or null (tests, diagnostics; do not change it). */
    public ClassicGroup group(String groupId) {
        return store.group(groupId);
    }

    /** The KIP-848 group's live view, or null (tests, diagnostics; do not change it). */
    public ConsumerGroup consumerGroup(String groupId) {
        return store.consumerGroup(groupId);
    }

    @Override
    public boolean isActive() {
        return active;
    }

    private CoordinatorResult run(long nowMs, Consumer<Effects> call) {
        if (!active) {
            throw new IllegalStateException("the shard is not active (still loading, or deactivated)");
        }
        Effects effects = new Effects(nowMs, store);
        call.accept(effects);
        return effects.result();
    }

    /**
     * A read: it changes nothing, so it may also run on a shard that is not active, the runtime's committed view
     * (a shard that only replays committed records).
     */
    private CoordinatorResult read(long nowMs, Consumer<Effects> call) {
        Effects effects = new Effects(nowMs, store);
        call.accept(effects);
        return effects.result();
    }

    private void requireLoading() {
        if (active) {
            throw new IllegalStateException("records are replayed only while loading");
        }
    }
}
