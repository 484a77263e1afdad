package io.fjord.broker.coordinator.markers;

import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.protocol.message.WriteTxnMarkersRequestData;
import io.fjord.protocol.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import io.fjord.protocol.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One WriteTxnMarkers request to one broker: many transactions' markers, each with the partitions that broker leads.
 * A producer id appears at most once, since the response is keyed by producer id. Immutable once built.
 */
final class MarkerRequest {
    /** One transaction's share of the request. */
    record Entry(PendingTransaction transaction, List<TransactionPartition> partitions) {
        TransactionMarkers markers() {
            return transaction.markers();
        }
    }

    private final int destination;
    private final List<Entry> entries;

    private MarkerRequest(int destination, List<Entry> entries) {
        this.destination = destination;
        this.entries = List.copyOf(entries);
    }

    int destination() {
        return destination;
    }

    List<Entry> entries() {
        return entries;
    }

    /** The request body at {@code version}: v2 carries each marker's transaction version (KIP-1228). */
    WriteTxnMarkersRequestData toRequestData(short version) {
        List<WritableTxnMarker> markers = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            TransactionMarkers transaction = entry.markers();
            Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
            for (TransactionPartition partition : entry.partitions()) {
                byTopic.computeIfAbsent(partition.topic(), unused -> new ArrayList<>()).add(partition.partition());
            }
            List<WritableTxnMarkerTopic> topics = new ArrayList<>(byTopic.size());
            byTopic.forEach((topic, indexes) -> topics.add(new WritableTxnMarkerTopic().setName(topic)
                    .setPartitionIndexes(indexes)));
            WritableTxnMarker marker = new WritableTxnMarker().setProducerId(transaction.producerId())
                    .setProducerEpoch(transaction.producerEpoch()).setTransactionResult(transaction.commit())
                    .setTopics(topics).setCoordinatorEpoch(transaction.coordinatorEpoch());
            if (version >= 2) {
                marker.setTransactionVersion((byte) transaction.transactionVersion());
            }
            markers.add(marker);
        }
        return new WriteTxnMarkersRequestData().setMarkers(markers);
    }

    @Override
    public String toString() {
        return "MarkerRequest(to " + destination + ", " + entries.size() + " transactions)";
    }

    /**
     * Collects a request up to a size bound, by an estimate of its encoded size that is never below it: the header
     * and compact-array lengths at their largest varint size, topic names at their length in bytes.
     */
    static final class Builder {
        private static final int REQUEST_OVERHEAD_BYTES = 64;
        private static final int MARKER_BYTES = 8 + 2 + 1 + 4 + 1 + 5 + 5 + 1;
        private static final int TOPIC_OVERHEAD_BYTES = 5 + 5 + 1;
        private static final int PARTITION_BYTES = 4;

        private final int destination;
        private final int bytesMax;
        private final Map<Long, EntryBuilder> byProducerId = new LinkedHashMap<>();
        private int estimatedBytes = REQUEST_OVERHEAD_BYTES;

        Builder(int destination, int bytesMax) {
            this.destination = destination;
            this.bytesMax = bytesMax;
        }

        /**
         * Adds one partition of a transaction, unless the request would grow beyond its bound or already carries
         * another transaction of the same producer id; returns whether it was added.
         */
        boolean tryAdd(PendingTransaction transaction, TransactionPartition partition) {
            long producerId = transaction.markers().producerId();
            EntryBuilder entry = byProducerId.get(producerId);
            if (entry != null && entry.transaction != transaction) {
                return false;
            }
            int added = PARTITION_BYTES;
            if (entry == null) {
                added += MARKER_BYTES;
            }
            if (entry == null || !entry.byTopic.containsKey(partition.topic())) {
                added += TOPIC_OVERHEAD_BYTES + partition.topic().length() * 3; // UTF-8 at worst
            }
            if (estimatedBytes + added > bytesMax) {
                return false;
            }
            estimatedBytes += added;
            if (entry == null) {
                entry = new EntryBuilder(transaction);
                byProducerId.put(producerId, entry);
            }
            entry.byTopic.computeIfAbsent(partition.topic(), unused -> new ArrayList<>()).add(partition);
            return true;
        }

        boolean isEmpty() {
            return byProducerId.isEmpty();
        }

        int estimatedBytes() {
            return estimatedBytes;
        }

        MarkerRequest build() {
            List<Entry> entries = new ArrayList<>(byProducerId.size());
            for (EntryBuilder entry : byProducerId.values()) {
                List<TransactionPartition> partitions = new ArrayList<>();
                entry.byTopic.values().forEach(partitions::addAll);
                entries.add(new Entry(entry.transaction, partitions));
            }
            return new MarkerRequest(destination, entries);
        }

        private static final class EntryBuilder {
            private final PendingTransaction transaction;
            private final Map<String, List<TransactionPartition>> byTopic = new LinkedHashMap<>();

            private EntryBuilder(PendingTransaction transaction) {
                this.transaction = transaction;
            }
        }
    }
}
