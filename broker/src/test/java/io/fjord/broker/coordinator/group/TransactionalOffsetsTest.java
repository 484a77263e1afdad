package io.fjord.broker.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.CoordinatorRecordSerde;
import io.fjord.broker.coordinator.group.records.OffsetCommitKey;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ConsumerGroupHeartbeatResponseData;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DeleteGroupsResponseData;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.OffsetDeleteRequestData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
import io.fjord.protocol.message.TxnOffsetCommitRequestData;
import io.fjord.protocol.message.TxnOffsetCommitResponseData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * TxnOffsetCommit in the shard (KIP-98, KIP-447): offsets pending for their producer until its marker, invisible to
 * OffsetFetch, UNSTABLE_OFFSET_COMMIT for require_stable, committed or dropped by the marker with Kafka's record-order
 * rule, the consumer group metadata checks, deletion and expiry with pending offsets, and replay from the records.
 */
class TransactionalOffsetsTest {
    private static final long PRODUCER = 4_000L;
    private static final long OTHER_PRODUCER = 4_001L;
    private static final short TXN_VERSION = 4;
    private static final long RETENTION_MS = 60_000L;

    private final GroupHarness harness = new GroupHarness(new GroupCoordinatorConfig(6_000, 1_800_000, 0,
            Integer.MAX_VALUE, 16, RETENTION_MS, 1_000L, 300_000), 5);
    /** The partition's records as the runtime writes them: plain, a producer's transactional batch, or a marker. */
    private final List<Entry> partitionLog = new ArrayList<>();

    private record Entry(long producerId, CoordinatorRecord record, Boolean commitMarker) {
    }

    private TxnOffsetCommitRequestData txnRequest(long producerId, String groupId, String memberId, int generation,
            String instanceId, int partition, long offset) {
        TxnOffsetCommitRequestData request = new TxnOffsetCommitRequestData().setTransactionalId("txn")
                .setGroupId(groupId).setProducerId(producerId).setProducerEpoch((short) 0)
                .setGenerationIdOrMemberEpoch(generation).setMemberId(memberId).setGroupInstanceId(instanceId);
        request.topics().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("topic")
                .setPartitions(new ArrayList<>(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(partition).setCommittedOffset(offset).setCommittedMetadata("m")))));
        return request;
    }

    private short txnCommit(short version, long producerId, String groupId, String memberId, int generation,
            String instanceId, int partition, long offset) {
        TxnOffsetCommitRequestData request = txnRequest(producerId, groupId, memberId, generation, instanceId,
                partition, offset);
        CoordinatorResult result = harness.shard.txnOffsetCommit(
                new RequestContext(harness.nextRequestId(), version, "client", "/127.0.0.1"), request, harness.nowMs);
        result.records().forEach(record -> partitionLog.add(new Entry(producerId, record, null)));
        TxnOffsetCommitResponseData response = (TxnOffsetCommitResponseData) result.replies().get(0).response();
        return response.topics().get(0).partitions().get(0).errorCode();
    }

    private short txnCommit(long producerId, String groupId, int partition, long offset) {
        return txnCommit(TXN_VERSION, producerId, groupId, "", -1, null, partition, offset);
    }

    private void plainCommit(String groupId, int partition, long offset) {
        int before = harness.log.size();
        assertThat(harness.commit((short) 8, groupId, "", -1, "topic", partition, offset)).isZero();
        harness.log.subList(before, harness.log.size()).forEach(record -> partitionLog.add(
                new Entry(-1, record, null)));
    }

    private void marker(long producerId, boolean commit) {
        harness.shard.replayEndTransaction(producerId, (short) 0, commit);
        partitionLog.add(new Entry(producerId, null, commit));
    }

    private OffsetFetchResponseData.OffsetFetchResponsePartitions fetch(String groupId, int partition,
            boolean requireStable) {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setRequireStable(requireStable);
        request.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(groupId)
                .setTopics(new ArrayList<>(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics()
                        .setName("topic").setPartitionIndexes(new ArrayList<>(List.of(partition)))))));
        OffsetFetchResponseData response = harness.reply(harness.call((short) 9,
                context -> harness.shard.offsetFetch(context, request, harness.nowMs)));
        return response.groups().get(0).topics().get(0).partitions().get(0);
    }

    private long committed(String groupId, int partition) {
        return fetch(groupId, partition, false).committedOffset();
    }

    /** A shard loaded from {@link #partitionLog} through the records' bytes, as the runtime's loader hands them. */
    private GroupCoordinatorShard replayedCopy() {
        GroupCoordinatorShard copy = new GroupCoordinatorShard(harness.config, TopicIdResolver.NONE,
                new SplittableRandom(9));
        for (Entry entry : partitionLog) {
            if (entry.commitMarker() != null) {
                copy.replayEndTransaction(entry.producerId(), (short) 0, entry.commitMarker());
                continue;
            }
            CoordinatorRecord record = throughBytes(entry.record());
            if (entry.producerId() >= 0) {
                copy.replayTransactional(entry.producerId(), (short) 0, record);
            } else {
                copy.replay(record);
            }
        }
        copy.activate(harness.nowMs);
        return copy;
    }

    private static CoordinatorRecord throughBytes(CoordinatorRecord record) {
        byte[] value = CoordinatorRecordSerde.serializeValue(record.value());
        return CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(record.key())),
                value == null ? null : ByteBuffer.wrap(value));
    }

    @Test
    void pendingOffsetsAreInvisibleUntilTheCommitMarkerPublishesThem() {
        plainCommit("group", 0, 5);
        assertThat(txnCommit(PRODUCER, "group", 0, 42)).isZero();
        assertThat(txnCommit(PRODUCER, "group", 1, 7)).isZero();

        assertThat(committed("group", 0)).isEqualTo(5);
        assertThat(committed("group", 1)).isEqualTo(-1);
        assertThat(harness.shard.durableState().offsets().get("group")).hasSize(1);

        marker(PRODUCER, true);

        assertThat(committed("group", 0)).isEqualTo(42);
        assertThat(committed("group", 1)).isEqualTo(7);
        assertThat(fetch("group", 0, true).errorCode()).isZero();
    }

    @Test
    void theAbortMarkerDropsThePendingOffsets() {
        plainCommit("group", 0, 5);
        assertThat(txnCommit(PRODUCER, "group", 0, 42)).isZero();
        marker(PRODUCER, false);

        assertThat(committed("group", 0)).isEqualTo(5);
        assertThat(fetch("group", 0, true).errorCode()).isZero();
        // A later marker of the producer finds nothing pending.
        marker(PRODUCER, true);
        assertThat(committed("group", 0)).isEqualTo(5);
    }

    @Test
    void requireStableAnswersUnstableOffsetCommitWhileATransactionHoldsThePartition() {
        plainCommit("group", 0, 5);
        assertThat(txnCommit(PRODUCER, "group", 0, 42)).isZero();

        OffsetFetchResponseData.OffsetFetchResponsePartitions stable = fetch("group", 0, true);
        assertThat(stable.errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());
        assertThat(stable.committedOffset()).isEqualTo(-1);
        assertThat(fetch("group", 1, true).errorCode()).isZero(); // no transaction holds partition 1
        assertThat(fetch("group", 0, false).committedOffset()).isEqualTo(5);

        // "All partitions" (null topics) flags the partition too.
        OffsetFetchRequestData all = new OffsetFetchRequestData().setRequireStable(true);
        all.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("group").setTopics(null));
        OffsetFetchResponseData response = harness.reply(harness.call((short) 9,
                context -> harness.shard.offsetFetch(context, all, harness.nowMs)));
        assertThat(response.groups().get(0).topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());

        marker(PRODUCER, true);
        assertThat(fetch("group", 0, true).committedOffset()).isEqualTo(42);
    }

    @Test
    void aCommitWrittenAfterTheTransactionalOneKeepsItsPlaceWhenTheTransactionCommits() {
        assertThat(txnCommit(PRODUCER, "group", 0, 42)).isZero();
        plainCommit("group", 0, 50); // after the transactional record in the partition
        assertThat(txnCommit(OTHER_PRODUCER, "group", 1, 8)).isZero();
        marker(PRODUCER, true);
        marker(OTHER_PRODUCER, true);

        assertThat(committed("group", 0)).isEqualTo(50);
        assertThat(committed("group", 1)).isEqualTo(8);
        assertThat(replayedCopy().durableState()).isEqualTo(harness.shard.durableState());
    }

    @Test
    void producersAreKeptApartAndReplayRebuildsPendingAndCommittedAlike() {
        assertThat(txnCommit(PRODUCER, "group", 0, 10)).isZero();
        assertThat(txnCommit(OTHER_PRODUCER, "group", 1, 20)).isZero();
        plainCommit("group", 2, 30);
        marker(OTHER_PRODUCER, false);
        assertThat(txnCommit(OTHER_PRODUCER, "group", 1, 21)).isZero(); // its next transaction

        GroupCoordinatorShard copy = replayedCopy();
        assertThat(copy.durableState()).isEqualTo(harness.shard.durableState());
        assertThat(copy.durableState().pendingOffsets()).containsOnlyKeys(PRODUCER, OTHER_PRODUCER);

        marker(PRODUCER, true);
        assertThat(committed("group", 0)).isEqualTo(10);
        assertThat(committed("group", 1)).isEqualTo(-1);
        marker(OTHER_PRODUCER, true);
        assertThat(committed("group", 1)).isEqualTo(21);
        assertThat(replayedCopy().durableState()).isEqualTo(harness.shard.durableState());
        assertThat(harness.shard.durableState().pendingOffsets()).isEmpty();
    }

    /** A one-member classic group, Stable at generation 1. */
    private String stableGroup(String groupId, String instanceId) {
        String memberId;
        if (instanceId == null) {
            memberId = harness.memberIdFor(groupId);
        } else {
            memberId = null;
        }
        long join = harness.join(groupId, memberId == null ? "" : memberId, instanceId, List.of("topic"));
        harness.advance(1);
        JoinGroupResponseData joined = harness.reply(join);
        assertThat(joined.generationId()).isEqualTo(1);
        harness.sync(groupId, joined.memberId(), instanceId, 1,
                Map.of(joined.memberId(), GroupHarness.assignment(List.of(0))));
        return joined.memberId();
    }

    @Test
    void classicGroupMetadataIsCheckedAsKafkaChecksIt() {
        String member = stableGroup("group", null);
        assertThat(txnCommit(TXN_VERSION, PRODUCER, "group", member, 1, null, 0, 1)).isZero();
        assertThat(txnCommit(TXN_VERSION, PRODUCER, "group", member, 2, null, 0, 1))
                .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(txnCommit(TXN_VERSION, PRODUCER, "group", "stranger", 1, null, 0, 1))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        // Without member information (v0-2 requests) a transactional commit is accepted by a non-empty group.
        assertThat(txnCommit((short) 2, PRODUCER, "group", "", -1, null, 0, 1)).isZero();

        String staticMember = stableGroup("static-group", "instance-1");
        assertThat(txnCommit(TXN_VERSION, PRODUCER, "static-group", staticMember, 1, "instance-1", 0, 1)).isZero();
        assertThat(txnCommit(TXN_VERSION, PRODUCER, "static-group", "other-member", 1, "instance-1", 0, 1))
                .isEqualTo(Errors.FENCED_INSTANCE_ID.code());

        // A missing group: created for generation -1, else ILLEGAL_GENERATION (GROUP_ID_NOT_FOUND from v6).
        assertThat(txnCommit(TXN_VERSION, PRODUCER, "missing", "m", 3, null, 0, 1))
                .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(txnCommit((short) 6, PRODUCER, "missing", "m", 3, null, 0, 1))
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(harness.shard.group("missing")).isNull();
        assertThat(txnCommit(PRODUCER, "new-group", 0, 1)).isZero();
        assertThat(harness.shard.group("new-group")).isNotNull();
        assertThat(txnCommit(TXN_VERSION, PRODUCER, "", "", -1, null, 0, 1))
                .isEqualTo(Errors.INVALID_GROUP_ID.code());
    }

    @Test
    void consumerGroupMembersAreCheckedByEpochWithIllegalGenerationBeforeVersion6() {
        ConsumerGroupHarness consumers = new ConsumerGroupHarness(TestTopics.of("topic", 2));
        ConsumerGroupHeartbeatResponseData joined = consumers.join("cg", "member-a", "topic");
        int epoch = joined.memberEpoch();
        TxnOffsetCommitRequestData current = txnRequest(PRODUCER, "cg", "member-a", epoch, null, 0, 3);
        TxnOffsetCommitRequestData ahead = txnRequest(PRODUCER, "cg", "member-a", epoch + 1, null, 0, 3);
        TxnOffsetCommitRequestData unknown = txnRequest(PRODUCER, "cg", "member-b", epoch, null, 0, 3);
        assertThat(consumerTxnError(consumers, TXN_VERSION, current)).isEqualTo(Errors.NONE);
        assertThat(consumerTxnError(consumers, TXN_VERSION, ahead)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(consumerTxnError(consumers, (short) 6, ahead)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(consumerTxnError(consumers, TXN_VERSION, unknown)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    private static Errors consumerTxnError(ConsumerGroupHarness consumers, short version,
            TxnOffsetCommitRequestData request) {
        if (version >= 6) {
            TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic topic = request.topics().get(0);
            topic.setTopicId(TestTopics.id(topic.name()));
        }
        TxnOffsetCommitResponseData response = consumers.call(version,
                context -> consumers.shard.txnOffsetCommit(context, request, consumers.nowMs));
        return Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void deletingTheGroupTombstonesPendingOffsetsSoALaterCommitMarkerRestoresNothing() {
        assertThat(txnCommit(PRODUCER, "group", 0, 42)).isZero();
        CoordinatorResult deleted = harness.shard.deleteGroups(
                new RequestContext(harness.nextRequestId(), (short) 2, "client", "/127.0.0.1"),
                new DeleteGroupsRequestData().setGroupsNames(new ArrayList<>(List.of("group"))), harness.nowMs);
        assertThat(((DeleteGroupsResponseData) deleted.replies().get(0).response()).results().iterator().next()
                .errorCode()).isZero();
        assertThat(deleted.records()).contains(CoordinatorRecord.tombstone(new OffsetCommitKey("group", "topic", 0)));

        marker(PRODUCER, true);
        assertThat(committed("group", 0)).isEqualTo(-1);
        assertThat(fetch("group", 0, true).errorCode()).isZero();
    }

    @Test
    void offsetDeleteTombstonesAPartitionOnlyATransactionHolds() {
        assertThat(txnCommit(PRODUCER, "group", 0, 42)).isZero();
        OffsetDeleteRequestData request = new OffsetDeleteRequestData().setGroupId("group");
        request.topics().add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("topic"));
        request.topics().iterator().next().partitions().add(
                new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
        CoordinatorResult result = harness.shard.offsetDelete(
                new RequestContext(harness.nextRequestId(), (short) 0, "client", "/127.0.0.1"), request,
                harness.nowMs);
        assertThat(result.records()).containsExactly(
                CoordinatorRecord.tombstone(new OffsetCommitKey("group", "topic", 0)));
        marker(PRODUCER, true);
        assertThat(committed("group", 0)).isEqualTo(-1);
    }

    @Test
    void aGroupWithOpenTransactionsIsNotExpired() {
        plainCommit("group", 0, 5);
        assertThat(txnCommit(PRODUCER, "group", 0, 42)).isZero();
        harness.advance(RETENTION_MS + 2_000);
        assertThat(harness.shard.group("group")).isNotNull();
        marker(PRODUCER, true);
        assertThat(committed("group", 0)).isEqualTo(42);
    }
}
