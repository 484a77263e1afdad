package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterPartitionRequestData.BrokerState;
import io.fjord.protocol.message.AlterPartitionResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AlterPartition's checks, one row per Kafka error, against partition t-0 with replicas 1-5 (4 never registered, 5
 * fenced), ISR [1, 2, 3], leader 1, leader epoch 5, partition epoch 7; and its successes.
 */
class IsrControlTest {
    private static final UUID TOPIC_ID = UUID.nameUUIDFromBytes(new byte[] {1});

    private final ControllerFixture fixture = new ControllerFixture();
    private final IsrControl isr = new IsrControl(fixture.replication);
    private final long[] epochs = new long[6];

    IsrControlTest() {
        for (int broker : new int[] {1, 2, 3, 5}) {
            epochs[broker] = fixture.startBroker(broker, 0);
        }
        fixture.replay(List.of(new TopicRecord("t", TOPIC_ID), new PartitionRecord(TOPIC_ID, 0,
                List.of(1, 2, 3, 4, 5), List.of(1, 2, 3), 1, 5, 7)));
        fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(5, epochs[5]).setWantFence(true), 1));
    }

    /** Stands for the sender's own registered epoch until the request is built. */
    private static final long SENDERS_EPOCH = -2;

    /**
     * A valid request from leader 1 proposing ISR [1, 2] (v3, with epochs), changed by {@code change}; the sender's
     * epoch is its registered one unless {@code change} sets another.
     */
    private AlterPartitionRequestData request(Consumer<AlterPartitionRequestData> change) {
        AlterPartitionRequestData.PartitionData partition = new AlterPartitionRequestData.PartitionData()
                .setPartitionIndex(0).setLeaderEpoch(5).setPartitionEpoch(7)
                .setNewIsrWithEpochs(new ArrayList<>(List.of(member(1), member(2))));
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(1).setBrokerEpoch(SENDERS_EPOCH)
                .setTopics(new ArrayList<>(List.of(new AlterPartitionRequestData.TopicData().setTopicId(TOPIC_ID)
                        .setPartitions(new ArrayList<>(List.of(partition))))));
        change.accept(request);
        if (request.brokerEpoch() == SENDERS_EPOCH) {
            request.setBrokerEpoch(epochs[request.brokerId()]);
        }
        return request;
    }

    private BrokerState member(int brokerId) {
        return new BrokerState().setBrokerId(brokerId).setBrokerEpoch(epochs[brokerId]);
    }

    private static AlterPartitionRequestData.PartitionData partition(AlterPartitionRequestData request) {
        return request.topics().get(0).partitions().get(0);
    }

    private static void isr(AlterPartitionRequestData request, BrokerState... members) {
        partition(request).setNewIsrWithEpochs(new ArrayList<>(List.of(members)));
    }

    private static BrokerState withEpoch(int brokerId, long epoch) {
        return new BrokerState().setBrokerId(brokerId).setBrokerEpoch(epoch);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                row("unknown topic id", r -> r.topics().get(0).setTopicId(UUID.randomUUID()),
                        Errors.UNKNOWN_TOPIC_ID),
                row("unknown partition", r -> partition(r).setPartitionIndex(9), Errors.UNKNOWN_TOPIC_OR_PARTITION),
                row("leader epoch above the controller's", r -> partition(r).setLeaderEpoch(6), Errors.NOT_CONTROLLER),
                row("partition epoch above the controller's", r -> partition(r).setPartitionEpoch(8),
                        Errors.NOT_CONTROLLER),
                row("leader epoch below", r -> partition(r).setLeaderEpoch(4), Errors.FENCED_LEADER_EPOCH),
                row("sender is not the leader", r -> r.setBrokerId(2), Errors.INVALID_REQUEST),
                row("partition epoch below", r -> partition(r).setPartitionEpoch(6), Errors.INVALID_UPDATE_VERSION),
                row("member that is not a replica", r -> isr(r, withEpoch(1, -1), withEpoch(6, -1)),
                        Errors.INVALID_REQUEST),
                row("member named twice", r -> isr(r, withEpoch(1, -1), withEpoch(2, -1), withEpoch(2, -1)),
                        Errors.INVALID_REQUEST),
                row("ISR without the leader", r -> isr(r, withEpoch(2, -1), withEpoch(3, -1)),
                        Errors.INVALID_REQUEST),
                row("empty ISR", r -> isr(r), Errors.INVALID_REQUEST),
                row("recovering with two members", r -> partition(r).setLeaderRecoveryState((byte) 1),
                        Errors.INVALID_REQUEST),
                row("recovered back to recovering", r -> {
                    isr(r, withEpoch(1, -1));
                    partition(r).setLeaderRecoveryState((byte) 1);
                }, Errors.INVALID_REQUEST),
                row("unknown recovery state", r -> partition(r).setLeaderRecoveryState((byte) 7),
                        Errors.INVALID_REQUEST),
                row("unregistered member", r -> isr(r, withEpoch(1, -1), withEpoch(4, -1)),
                        Errors.INELIGIBLE_REPLICA),
                row("fenced member", r -> isr(r, withEpoch(1, -1), withEpoch(5, -1)), Errors.INELIGIBLE_REPLICA),
                row("member named with a stale broker epoch", r -> isr(r, withEpoch(1, -1), withEpoch(2, 0)),
                        Errors.INELIGIBLE_REPLICA));
    }

    private static Arguments row(String name, Consumer<AlterPartitionRequestData> change, Errors error) {
        return Arguments.of(name, change, error);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithKafkasErrorAndWritesNothing(String name, Consumer<AlterPartitionRequestData> change,
                                                Errors error) {
        AlterPartitionRequestData request = request(change);
        PartitionImage before = fixture.partition("t", 0);
        ControllerResult<AlterPartitionResponseData> result = isr.alterPartition(fixture.image, request);
        assertThat(result.records()).isEmpty();
        assertThat(result.response().errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.response().topics().get(0).partitions()).singleElement()
                .satisfies(answer -> assertThat(answer.errorCode()).as(name).isEqualTo(error.code()));
        assertThat(fixture.partition("t", 0)).isEqualTo(before);
    }

    @Test
    void aSenderWithAStaleOrUnknownEpochIsRefusedWhole() {
        for (AlterPartitionRequestData request : List.of(request(r -> r.setBrokerEpoch(epochs[1] - 1)),
                request(r -> r.setBrokerId(4).setBrokerEpoch(0)))) {
            ControllerResult<AlterPartitionResponseData> result = isr.alterPartition(fixture.image, request);
            assertThat(result.records()).isEmpty();
            assertThat(result.response().errorCode()).isEqualTo(Errors.STALE_BROKER_EPOCH.code());
            assertThat(result.response().topics()).isEmpty();
        }
    }

    @Test
    void aMemberInControlledShutdownIsIneligible() {
        UUID other = UUID.nameUUIDFromBytes(new byte[] {2});
        fixture.replay(List.of(new TopicRecord("u", other), new PartitionRecord(other, 0, List.of(3), List.of(3), 3,
                0, 0)));
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(3, epochs[3]).setWantShutDown(true),
                1));
        assertThat(fixture.image.brokers().get(3).inControlledShutdown()).isTrue();
        PartitionImage current = fixture.partition("t", 0);
        AlterPartitionResponseData response = fixture.apply(isr.alterPartition(fixture.image, request(r -> {
            partition(r).setPartitionEpoch(current.partitionEpoch());
            isr(r, member(1), member(2), member(3));
        })));
        assertThat(response.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.INELIGIBLE_REPLICA.code());
    }

    @Test
    void aShrinkIsWrittenAndAnsweredWithTheNewState() {
        AlterPartitionResponseData response = fixture.apply(isr.alterPartition(fixture.image, request(r -> { })));
        AlterPartitionResponseData.PartitionData answer = response.topics().get(0).partitions().get(0);
        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.leaderId()).isEqualTo(1);
        assertThat(answer.leaderEpoch()).isEqualTo(5);
        assertThat(answer.partitionEpoch()).isEqualTo(8);
        assertThat(answer.isr()).containsExactly(1, 2);
        PartitionImage partition = fixture.partition("t", 0);
        assertThat(partition.isr()).containsExactly(1, 2);
        assertThat(partition.partitionEpoch()).isEqualTo(8);
        assertThat(partition.leaderEpoch()).isEqualTo(5);
    }

    @Test
    void anExpansionInVersionTwoFormWithoutEpochsIsWritten() {
        fixture.apply(isr.alterPartition(fixture.image, request(r -> { })));
        AlterPartitionResponseData response = fixture.apply(isr.alterPartition(fixture.image, request(r -> {
            partition(r).setPartitionEpoch(8).setNewIsrWithEpochs(new ArrayList<>()).setNewIsr(List.of(1, 2, 3));
        })));
        assertThat(response.topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(fixture.partition("t", 0).isr()).containsExactly(1, 2, 3);
        assertThat(fixture.partition("t", 0).partitionEpoch()).isEqualTo(9);
    }

    @Test
    void theSameIsrChangesNothingAndIsAnsweredWithTheCurrentState() {
        ControllerResult<AlterPartitionResponseData> result = isr.alterPartition(fixture.image,
                request(r -> isr(r, member(1), member(2), member(3))));
        assertThat(result.records()).isEmpty();
        AlterPartitionResponseData.PartitionData answer = result.response().topics().get(0).partitions().get(0);
        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.partitionEpoch()).isEqualTo(7);
        assertThat(answer.leaderEpoch()).isEqualTo(5);
        assertThat(answer.isr()).containsExactly(1, 2, 3);
    }

    @Test
    void aRecoveringLeaderReportsItselfRecovered() {
        fixture.replay(List.of(new PartitionRecord(TOPIC_ID, 0, List.of(1, 2, 3, 4, 5), List.of(1), 1, 5, 7,
                List.of(), List.of(), PartitionRecord.RECOVERING, List.of(), List.of())));
        AlterPartitionResponseData response = fixture.apply(isr.alterPartition(fixture.image,
                request(r -> isr(r, member(1)))));
        AlterPartitionResponseData.PartitionData answer = response.topics().get(0).partitions().get(0);
        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERED);
        assertThat(fixture.partition("t", 0).leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERED);
    }

    @Test
    void aPartitionNamedTwiceIsCheckedTheSecondTimeAgainstTheFirstChange() {
        AlterPartitionRequestData request = request(r -> r.topics().get(0).partitions().add(
                new AlterPartitionRequestData.PartitionData().setPartitionIndex(0).setLeaderEpoch(5)
                        .setPartitionEpoch(7).setNewIsrWithEpochs(new ArrayList<>(List.of(member(1))))));
        ControllerResult<AlterPartitionResponseData> result = isr.alterPartition(fixture.image, request);
        assertThat(result.records()).hasSize(1);
        assertThat(result.response().topics().get(0).partitions()).extracting(p -> p.errorCode())
                .containsExactly(Errors.NONE.code(), Errors.INVALID_UPDATE_VERSION.code());
    }

    @Test
    void aShrinkBelowMinIsrMovesTheLeaversToTheElrWhenEnabled() {
        fixture.enableEligibleLeaderReplicas();
        fixture.setTopicConfig("t", ReplicationControl.MIN_INSYNC_REPLICAS, "3");
        fixture.apply(isr.alterPartition(fixture.image, request(r -> { })));
        assertThat(fixture.partition("t", 0).isr()).containsExactly(1, 2);
        assertThat(fixture.partition("t", 0).eligibleLeaderReplicas()).containsExactly(3);
        // Back to min ISR: the ELR empties.
        fixture.apply(isr.alterPartition(fixture.image, request(r -> {
            partition(r).setPartitionEpoch(8);
            isr(r, member(1), member(2), member(3));
        })));
        assertThat(fixture.partition("t", 0).isr()).containsExactly(1, 2, 3);
        assertThat(fixture.partition("t", 0).eligibleLeaderReplicas()).isEmpty();
    }
}
