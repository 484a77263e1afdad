package io.fjord.broker.coordinator.runtime;

import java.util.List;

/**
 * One batch of a coordinator partition as its shards apply it (KIP-98 in a coordinator's own log): records written
 * plainly, records of a producer's transaction (a group coordinator's transactional offset commits, pending until
 * the producer's marker), or the transaction marker (COMMIT or ABORT) that ends that producer's transaction in the
 * partition. Immutable.
 *
 * @param records       the records; empty for a marker
 * @param producerId    the producer of a transactional batch or marker; -1 for a plain batch
 * @param producerEpoch its epoch; -1 for a plain batch
 * @param marker        what a control batch says; {@link Marker#NONE} for a data batch
 * @param <R>           the coordinator's record type
 */
public record CoordinatorBatch<R>(List<R> records, long producerId, short producerEpoch, Marker marker) {
    /** Kafka's control record types of a transaction marker, or none. */
    public enum Marker { NONE, COMMIT, ABORT }

    public CoordinatorBatch {
        records = List.copyOf(records);
    }

    public static <R> CoordinatorBatch<R> plain(List<R> records) {
        return new CoordinatorBatch<>(records, -1L, (short) -1, Marker.NONE);
    }

    public static <R> CoordinatorBatch<R> transactional(List<R> records, long producerId, short producerEpoch) {
        return new CoordinatorBatch<>(records, producerId, producerEpoch, Marker.NONE);
    }

    public static <R> CoordinatorBatch<R> endTransaction(long producerId, short producerEpoch, boolean commit) {
        return new CoordinatorBatch<>(List.of(), producerId, producerEpoch, commit ? Marker.COMMIT : Marker.ABORT);
    }

    public boolean isTransactional() {
        return producerId >= 0 && marker == Marker.NONE;
    }

    /** What the batch weighs in a bound on uncommitted state: its records, or one for a marker. */
    long weight() {
        return marker == Marker.NONE ? records.size() : 1;
    }

    /** Applies the batch to a shard that is loading or serves as a committed view. */
    void replayInto(CoordinatorShard<R> shard) {
        if (marker != Marker.NONE) {
            shard.replayEndTransaction(producerId, producerEpoch, marker == Marker.COMMIT);
        } else if (producerId >= 0) {
            records.forEach(record -> shard.replayTransactional(producerId, producerEpoch, record));
        } else {
            records.forEach(shard::replay);
        }
    }
}
