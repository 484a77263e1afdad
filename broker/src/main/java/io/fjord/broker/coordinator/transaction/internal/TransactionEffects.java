package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.transaction.TransactionCoordinatorResult;
import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import io.fjord.protocol.message.ApiMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects what one call into the shard produces: records, each applied to the {@link TransactionStore} as it is
 * appended (the one way durable state changes), markers to send, and the response. Carries the call's time and
 * the value version records are written in.
 *
 * <p>Not thread-safe: lives for one call on the shard's thread.
 */
public final class TransactionEffects {
    private final long nowMs;
    private final short valueVersion;
    private final TransactionStore store;
    private final List<TransactionRecord> records = new ArrayList<>();
    private final List<TransactionMarkers> markers = new ArrayList<>();
    private ApiMessage response;

    public TransactionEffects(long nowMs, short valueVersion, TransactionStore store) {
        this.nowMs = nowMs;
        this.valueVersion = valueVersion;
        this.store = store;
    }

    public long nowMs() {
        return nowMs;
    }

    /**
     * Writes the id's new metadata: appends its record and applies it. Its previous producer id is the producer id
     * before this change (the new id's own for a first record), as every Kafka transition sets it.
     */
    public void write(TransactionMetadata metadata) {
        TransactionMetadata before = store.get(metadata.transactionalId());
        long previousProducerId = before == null ? metadata.producerId() : before.producerId();
        TransactionMetadata written = metadata.withProducer(metadata.producerId(), previousProducerId,
                metadata.nextProducerId(), metadata.producerEpoch());
        append(new TransactionRecord(written.transactionalId(), written.toValue(valueVersion)));
    }

    /** Removes the id: appends its tombstone and applies it. */
    public void remove(String transactionalId) {
        append(TransactionRecord.tombstone(transactionalId));
    }

    private void append(TransactionRecord record) {
        records.add(record);
        store.replay(record);
    }

    public void markers(TransactionMarkers toSend) {
        markers.add(toSend);
    }

    public void respond(ApiMessage message) {
        response = message;
    }

    public TransactionCoordinatorResult result() {
        return new TransactionCoordinatorResult(records, response, markers);
    }
}
