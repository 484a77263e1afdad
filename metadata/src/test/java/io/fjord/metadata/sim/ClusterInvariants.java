package io.fjord.metadata.sim;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.quorum.MetadataEntries;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster simulation's invariants. It keeps the committed log (every node's committed prefix must agree with it,
 * so committed entries never change) and a reference replay of it, one image per committed prefix, built entry by
 * entry, independently of how the nodes batch their applying. Checked:
 * <ul>
 *   <li>on every new committed entry, between the reference images before and after it: every ISR is a non-empty
 *       subset of the replicas; every leader is in its ISR and is an active (unfenced, not shutting down) broker of
 *       the image where it was elected; no partition is leaderless while an ISR member is active; a new leader
 *       comes from the ISR before the change (unless the change is an unclean election, which marks the partition
 *       recovering); leader and partition epochs only grow, the leader epoch with every leader change and the
 *       partition epoch with every change;</li>
 *   <li>on every image a node applies: it equals the reference image of the committed prefix it applied; across all
 *       nodes' images there is at most one leader per partition and leader epoch; on one node (within one life)
 *       leader epochs, partition epochs and broker epochs never go back.</li>
 * </ul>
 * A broken invariant throws {@link AssertionError} naming it.
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class ClusterInvariants {
    private final List<LogEntry> committed = new ArrayList<>();
    /** The reference image after each committed prefix: index {@code n} holds the image of entries [0, n). */
    private final List<MetadataImage> reference = new ArrayList<>(List.of(MetadataImage.EMPTY));
    /** The leader seen in any node's image per "topicId-partition@leaderEpoch". */
    private final Map<String, Integer> leaderByEpoch = new HashMap<>();
    /** Per node, the highest {leader epoch, partition epoch} per partition and the broker epochs in its last image. */
    private final Map<Integer, MetadataImage> lastImageByNode = new HashMap<>();
    private int leaderChanges;
    private int uncleanElections;
    private int fencings;

    /** Per node, the end of the log prefix checked against the committed log (again after a truncation). */
    private final Map<Integer, Long> checkedEndByNode = new HashMap<>();

    /** Node {@code nodeId} restarted: it rebuilds its image from the empty one. */
    void onRestart(int nodeId) {
        lastImageByNode.remove(nodeId);
        checkedEndByNode.remove(nodeId);
    }

    /** Node {@code nodeId} removed its log from {@code offset} on: what is appended there is checked again. */
    void onTruncate(int nodeId, long offset) {
        checkedEndByNode.computeIfPresent(nodeId, (id, end) -> Math.min(end, offset));
    }

    /**
     * Node {@code nodeId} reports a high watermark of {@code highWatermark} over {@code log}: its committed prefix must
     * agree with the committed log, which it may extend.
     */
    void onHighWatermark(int nodeId, SimLog log, long highWatermark) {
        long end = Math.min(highWatermark, log.endOffset());
        if (highWatermark > log.endOffset()) {
            fail("node " + nodeId + " high watermark " + highWatermark + " past its log end " + log.endOffset());
        }
        for (long offset = Math.max(log.startOffset, checkedEndByNode.getOrDefault(nodeId, 0L)); offset < end;
                offset++) {
            LogEntry entry = log.entry(offset);
            if (offset > committed.size()) {
                fail("node " + nodeId + " committed " + entry + " but only " + committed.size() + " entries are known"
                        + " committed");
            } else if (offset < committed.size()) {
                if (!committed.get((int) offset).equals(entry)) {
                    fail("node " + nodeId + " committed " + entry + " where " + committed.get((int) offset)
                            + " was committed");
                }
            } else {
                commit(entry);
            }
        }
        checkedEndByNode.merge(nodeId, end, Math::max);
    }

    private void commit(LogEntry entry) {
        committed.add(entry);
        MetadataImage before = reference.get(reference.size() - 1);
        MetadataImage after = before;
        if (entry.type() == EntryType.DATA) {
            MetadataDelta delta = new MetadataDelta(before);
            for (MetadataRecord record : MetadataEntries.decode(entry.payload())) {
                delta.replay(record, entry.offset());
            }
            after = delta.apply();
            checkTransition(entry.offset(), before, after);
        }
        reference.add(after);
    }

    private void checkTransition(long offset, MetadataImage before, MetadataImage after) {
        String at = "committed entry " + offset + ": ";
        for (BrokerImage broker : after.brokers().values()) {
            BrokerImage previous = before.brokers().get(broker.brokerId());
            if (broker.fenced() && previous != null && !previous.fenced()
                    && previous.incarnationId().equals(broker.incarnationId())) {
                fencings++;
            }
        }
        for (TopicImage topic : after.topicsById().values()) {
            TopicImage previousTopic = before.topicsById().get(topic.topicId());
            for (PartitionImage partition : topic.partitions().values()) {
                String name = topic.name() + "-" + partition.partitionId();
                check(!partition.isr().isEmpty(), at + name + " has an empty ISR");
                check(partition.replicas().containsAll(partition.isr()), at + name + " ISR " + partition.isr()
                        + " outside the replicas " + partition.replicas());
                if (partition.leader() != PartitionImage.NO_LEADER) {
                    check(partition.isr().contains(partition.leader()), at + name + " leader "
                            + partition.leader() + " outside the ISR " + partition.isr());
                    BrokerImage leader = after.brokers().get(partition.leader());
                    check(leader != null && leader.active(), at + name + " led by broker " + partition.leader()
                            + " which is not active: " + leader);
                } else {
                    for (int member : partition.isr()) {
                        BrokerImage broker = after.brokers().get(member);
                        check(broker == null || !broker.active(), at + name + " has no leader although ISR member "
                                + member + " is active");
                    }
                }
                PartitionImage previous = previousTopic == null ? null
                        : previousTopic.partitions().get(partition.partitionId());
                if (previous == null) {
                    continue;
                }
                check(partition.leaderEpoch() >= previous.leaderEpoch(), at + name + " leader epoch went back");
                check(partition.partitionEpoch() >= previous.partitionEpoch(), at + name
                        + " partition epoch went back");
                if (partition.leader() != previous.leader()) {
                    leaderChanges++;
                    check(partition.leaderEpoch() > previous.leaderEpoch(), at + name + " leader changed from "
                            + previous.leader() + " to " + partition.leader() + " in epoch "
                            + partition.leaderEpoch());
                    boolean unclean = partition.leaderRecoveryState() == PartitionRecord.RECOVERING;
                    if (unclean) {
                        uncleanElections++;
                    }
                    check(partition.leader() == PartitionImage.NO_LEADER || unclean
                            || previous.isr().contains(partition.leader()), at + name + " leader "
                            + partition.leader() + " elected from outside the ISR " + previous.isr());
                }
                if (!partition.equals(previous)) {
                    check(partition.partitionEpoch() > previous.partitionEpoch(), at + name
                            + " changed within partition epoch " + partition.partitionEpoch());
                }
            }
        }
    }

    /** Node {@code nodeId} applied the committed entries below {@code appliedEndOffset} into {@code image}. */
    void onApplied(int nodeId, long appliedEndOffset, MetadataImage image) {
        if (appliedEndOffset >= reference.size()) {
            fail("node " + nodeId + " applied up to " + appliedEndOffset + " but only " + committed.size()
                    + " entries are committed");
        }
        MetadataImage expected = reference.get((int) appliedEndOffset);
        if (!expected.equals(image)) {
            fail("node " + nodeId + " image after applying [0, " + appliedEndOffset + ") differs from the replay of"
                    + " the committed log:\n  node:      " + image + "\n  reference: " + expected);
        }
        MetadataImage previous = lastImageByNode.put(nodeId, image);
        for (TopicImage topic : image.topicsById().values()) {
            TopicImage previousTopic = previous == null ? null : previous.topicsById().get(topic.topicId());
            for (PartitionImage partition : topic.partitions().values()) {
                String name = topic.name() + "-" + partition.partitionId();
                if (partition.leader() != PartitionImage.NO_LEADER) {
                    Integer earlier = leaderByEpoch.putIfAbsent(topic.topicId() + "-" + partition.partitionId()
                            + "@" + partition.leaderEpoch(), partition.leader());
                    check(earlier == null || earlier == partition.leader(), "node " + nodeId + ": " + name
                            + " led by " + partition.leader() + " in leader epoch " + partition.leaderEpoch()
                            + ", which another image gave to " + earlier);
                }
                PartitionImage before = previousTopic == null ? null
                        : previousTopic.partitions().get(partition.partitionId());
                if (before != null) {
                    check(partition.leaderEpoch() >= before.leaderEpoch()
                            && partition.partitionEpoch() >= before.partitionEpoch(), "node " + nodeId + ": " + name
                            + " epochs went back from " + before + " to " + partition);
                }
            }
        }
        if (previous != null) {
            for (BrokerImage broker : image.brokers().values()) {
                BrokerImage before = previous.brokers().get(broker.brokerId());
                if (before != null) {
                    check(broker.brokerEpoch() >= before.brokerEpoch(), "node " + nodeId + ": broker "
                            + broker.brokerId() + " epoch went back from " + before.brokerEpoch() + " to "
                            + broker.brokerEpoch());
                }
            }
            check(image.offset() >= previous.offset(), "node " + nodeId + ": image offset went back");
        }
    }

    long committedEndOffset() {
        return committed.size();
    }

    int leaderChanges() {
        return leaderChanges;
    }

    int fencings() {
        return fencings;
    }

    int uncleanElections() {
        return uncleanElections;
    }

    private static void check(boolean condition, String invariant) {
        if (!condition) {
            fail(invariant);
        }
    }

    private static void fail(String invariant) {
        throw new AssertionError(invariant);
    }
}
