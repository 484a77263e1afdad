package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A waiting acks=all produce: done per partition by its check, REQUEST_TIMED_OUT for what still waits at expiry. */
class DelayedProduceTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    @Test
    void completesOnceEveryPartitionIsDoneWithTheErrorItsCheckGave() {
        AtomicReference<List<DelayedProduce.PartitionStatus>> done = new AtomicReference<>();
        AtomicReference<Partition.ReplicationCheck> p1Check = new AtomicReference<>(
                new Partition.ReplicationCheck(false, Errors.NONE));
        DelayedProduce produce = new DelayedProduce(1_000, List.of(new DelayedProduce.PartitionStatus(P0, 5),
                new DelayedProduce.PartitionStatus(P1, 7)), (topicPartition, requiredOffset) -> topicPartition.equals(P0)
                ? new Partition.ReplicationCheck(true, Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND) : p1Check.get(),
                done::set);
        assertThat(produce.tryComplete()).isFalse();
        assertThat(done.get()).isNull();
        p1Check.set(new Partition.ReplicationCheck(true, Errors.NONE));
        assertThat(produce.tryComplete()).isTrue();
        assertThat(done.get()).extracting(status -> status.error)
                .containsExactly(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND, Errors.NONE);
    }

    @Test
    void whatStillWaitsAtTheTimeoutAnswersRequestTimedOut() {
        AtomicReference<List<DelayedProduce.PartitionStatus>> done = new AtomicReference<>();
        DelayedProduce produce = new DelayedProduce(1_000, List.of(new DelayedProduce.PartitionStatus(P0, 5),
                new DelayedProduce.PartitionStatus(P1, 7)), (topicPartition, requiredOffset) -> topicPartition.equals(P0)
                ? new Partition.ReplicationCheck(true, Errors.NONE) : new Partition.ReplicationCheck(false, Errors.NONE),
                done::set);
        produce.tryComplete();
        produce.run();
        assertThat(done.get()).extracting(status -> status.error).containsExactly(Errors.NONE,
                Errors.REQUEST_TIMED_OUT);
    }
}
