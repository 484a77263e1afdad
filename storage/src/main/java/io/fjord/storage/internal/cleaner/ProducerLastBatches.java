package io.fjord.storage.internal.cleaner;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.ProducerState;
import java.util.HashMap;
import java.util.Map;

/**
 * The batch a clean must keep (emptied if need be) for each producer the partition remembers, Kafka's
 * {@code lastRecordsOfActiveProducers}: the producer's last data batch, whose header holds its last sequence, so
 * that idempotence survives cleaning and recovery; or, when it has none in its current epoch (a marker bumped it),
 * its markers of that epoch, which carry the epoch for fencing. Immutable after construction, thread-confined.
 */
final class ProducerLastBatches {
    private record LastBatch(long lastDataOffset, short producerEpoch) {
    }

    private final Map<Long, LastBatch> byProducer = new HashMap<>();

    ProducerLastBatches(Map<Long, ProducerState> producers) {
        producers.forEach((producerId, state) ->
                byProducer.put(producerId, new LastBatch(state.lastOffset(), state.producerEpoch())));
    }

    /** Whether {@code batch} is the one to keep for its producer. */
    boolean isLast(RecordBatch batch) {
        if (batch.producerId() == RecordBatch.NO_PRODUCER_ID) {
            return false;
        }
        LastBatch last = byProducer.get(batch.producerId());
        if (last == null) {
            return false;
        }
        if (last.lastDataOffset() >= 0) {
            return batch.lastOffset() == last.lastDataOffset();
        }
        return batch.isControlBatch() && batch.producerEpoch() == last.producerEpoch();
    }
}
