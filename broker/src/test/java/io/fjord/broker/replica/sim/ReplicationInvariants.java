package io.fjord.broker.replica.sim;

import io.fjord.broker.replica.Partition;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The replication promises, checked after every simulation step (a failure names the first broken one).
 *
 * <ul>
 *   <li>Committed history: the batches below any leader's high watermark form one history (the reference, its end
 *   the highest high watermark any leader reached). Every live replica's log below its own high watermark is
 *   byte-identical to it (so all logs are identical below the smallest high watermark of the in-sync replicas, and a
 *   follower never serves a record outside it); the leader the controller elected, once it acts on its election,
 *   holds the whole reference (it lost nothing committed), and no replica truncates below what was checked.</li>
 *   <li>Acknowledged records: each acks=all acknowledgement is in the reference at its offset with the values sent,
 *   once a leader's high watermark passes it (before the end for every partition that has a leader then).</li>
 *   <li>High watermarks: a leader's never moves back during its leadership (one leader epoch of one incarnation)
 *   and never passes its log end. A follower takes its leader's, capped to its log end, as Kafka's
 *   {@code maybeUpdateHighWatermark} (which may lower it: a new leader's may lag the old one's); a restart starts
 *   again from the checkpoint, which may lag too. Either way it stays within the committed history.</li>
 *   <li>Unclean elections: the controller may elect a RECOVERING leader only as Kafka 4.4 does with unclean
 *   elections off: the last known leader (KIP-966), active again, of a partition whose every ISR and ELR member left
 *   them by an unclean restart (ISR and ELR empty). Kafka promises nothing for what was committed
 *   before it, so the committed history of that partition starts again (counted in the summary).</li>
 *   <li>Leadership: at most one broker leads each leader epoch; the controller's leader is always in the ISR
 *   (elected from the ISR, or from the ELR, which puts it back in the ISR).</li>
 * </ul>
 *
 * <p>Not thread-safe: the simulation's one thread calls it.
 */
final class ReplicationInvariants {
    /** One committed batch: its offsets and exact bytes. */
    private record CommittedBatch(long baseOffset, long nextOffset, byte[] bytes) {
    }

    /** One incarnation of a replica of a partition, keying how far its log was verified. */
    private record ReplicaKey(int brokerId, int incarnation, int partition) {
    }

    private record LeadershipKey(int brokerId, int incarnation, int partition, int leaderEpoch) {
    }

    private record Acknowledged(int partition, long baseOffset, List<String> values, long atMs) {
    }

    private final Map<Integer, TreeMap<Long, CommittedBatch>> reference = new HashMap<>();
    private final Map<Integer, Long> referenceEnd = new HashMap<>();
    private final Map<ReplicaKey, Long> verifiedUpTo = new HashMap<>();
    private final SimEvents events;
    private MetadataImage previousImage = MetadataImage.EMPTY;
    private final Map<Integer, Integer> uncleanElectionEpochs = new HashMap<>();
    private int uncleanElections;
    private int voidedAcks;
    private final Map<LeadershipKey, Long> leaderHighWatermarks = new HashMap<>();
    private final Map<String, Integer> leaderOfEpoch = new HashMap<>();
    private final List<Acknowledged> pendingAcks = new ArrayList<>();
    private long verifiedAcks;

    ReplicationInvariants(SimEvents events) {
        this.events = events;
    }

    long verifiedAcks() {
        return verifiedAcks;
    }

    int pendingAcks() {
        return pendingAcks.size();
    }

    int uncleanElections() {
        return uncleanElections;
    }

    int voidedAcks() {
        return voidedAcks;
    }

    long committedEnd(int partition) {
        return referenceEnd.getOrDefault(partition, 0L);
    }

    void acknowledged(int partition, long baseOffset, List<String> values, long nowMs) {
        pendingAcks.add(new Acknowledged(partition, baseOffset, values, nowMs));
    }

    /** Every check; throws AssertionError naming the broken promise. */
    void check(MetadataImage image, List<SimBroker> brokers) {
        Optional<TopicImage> topic = image.topic(SimBroker.TOPIC);
        if (topic.isEmpty()) {
            return;
        }
        for (PartitionImage partitionImage : topic.get().partitions().values()) {
            int partition = partitionImage.partitionId();
            if (partitionImage.leader() != PartitionImage.NO_LEADER
                    && !partitionImage.isr().contains(partitionImage.leader())) {
                fail("p" + partition + ": the controller's leader " + partitionImage.leader() + " is not in the ISR "
                        + partitionImage.isr());
            }
            boolean uncleanlyElected = partitionImage.leaderRecoveryState() == PartitionRecord.RECOVERING
                    && partitionImage.leader() != PartitionImage.NO_LEADER;
            if (uncleanlyElected && !Integer.valueOf(partitionImage.leaderEpoch()).equals(
                    uncleanElectionEpochs.put(partition, partitionImage.leaderEpoch()))) {
                forgetCommittedHistory(partition, previousImage, image, partitionImage);
            }
            TopicPartition topicPartition = new TopicPartition(SimBroker.TOPIC, partition);
            for (SimBroker broker : brokers) {
                if (broker.isAlive()) {
                    broker.replicaManager().partition(topicPartition).ifPresent(hosted ->
                            checkReplica(broker, partition, hosted, partitionImage));
                }
            }
            for (SimBroker broker : brokers) {
                if (broker.isAlive()) {
                    broker.replicaManager().partition(topicPartition).ifPresent(hosted ->
                            verifyAgainstReference(broker, partition, hosted, partitionImage));
                }
            }
        }
        checkAcks();
        previousImage = image;
    }

    /**
     * An unclean election ends Kafka's promise for what was committed before: the leader's history is the one from
     * now on. With {@code unclean.leader.election.enable} off (as here) Kafka 4.4 makes one only through KIP-966's
     * last known leader, and only when nothing else may lead: the leader is the partition's recorded last known
     * leader (active again), and every member of the ISR and the ELR before the change left them through an unclean
     * restart (a new incarnation registered; every restart here is unclean), so both were empty when it was elected.
     * A fenced member of the same incarnation still blocks it.
     */
    private void forgetCommittedHistory(int partition, MetadataImage beforeImage, MetadataImage image,
            PartitionImage partitionImage) {
        PartitionImage before = beforeImage.topic(SimBroker.TOPIC).map(topic -> topic.partitions().get(partition))
                .orElse(null);
        int leader = partitionImage.leader();
        if (before == null) {
            fail("p" + partition + ": unclean election of " + leader + " of a partition that did not exist");
        }
        if (!before.lastKnownElr().equals(List.of(leader))) {
            fail("p" + partition + ": unclean election of " + leader + " in leader epoch "
                    + partitionImage.leaderEpoch() + ", not the last known leader " + before.lastKnownElr());
        }
        BrokerImage leaderNow = image.brokers().get(leader);
        if (leaderNow == null || !leaderNow.active()) {
            fail("p" + partition + ": unclean election of " + leader + ", which is not active");
        }
        List<Integer> members = new ArrayList<>(before.isr());
        members.addAll(before.eligibleLeaderReplicas());
        for (int member : members) {
            BrokerImage was = beforeImage.brokers().get(member);
            BrokerImage now = image.brokers().get(member);
            boolean restartedUncleanly = was != null && now != null && now.brokerEpoch() != was.brokerEpoch();
            if (!restartedUncleanly) {
                fail("p" + partition + ": unclean election of " + leader + " in leader epoch "
                        + partitionImage.leaderEpoch() + " although member " + member + " of the ISR " + before.isr()
                        + " or the ELR " + before.eligibleLeaderReplicas() + " did not restart uncleanly");
            }
        }
        uncleanElections++;
        reference.remove(partition);
        referenceEnd.remove(partition);
        verifiedUpTo.keySet().removeIf(replica -> replica.partition() == partition);
        int pending = pendingAcks.size();
        pendingAcks.removeIf(ack -> ack.partition() == partition);
        voidedAcks += pending - pendingAcks.size();
        events.note("invariants: unclean election of " + partitionImage.leader() + " for p" + partition
                + " in leader epoch " + partitionImage.leaderEpoch() + "; " + (pending - pendingAcks.size())
                + " unverified acknowledgements void, the committed history starts again");
    }

    private void checkReplica(SimBroker broker, int partition, Partition hosted, PartitionImage partitionImage) {
        PartitionLog log = hosted.log();
        long highWatermark = log.highWatermark();
        if (highWatermark > log.logEndOffset()) {
            fail("p" + partition + " on " + broker.id() + ": high watermark " + highWatermark + " past log end "
                    + log.logEndOffset());
        }
        if (!hosted.isLeader()) {
            return;
        }
        int epoch = hosted.leaderEpoch();
        Integer otherLeader = leaderOfEpoch.putIfAbsent(partition + "/" + epoch, broker.id());
        if (otherLeader != null && otherLeader != broker.id()) {
            fail("p" + partition + ": leader epoch " + epoch + " led by both " + otherLeader + " and " + broker.id());
        }
        LeadershipKey leadership = new LeadershipKey(broker.id(), broker.incarnation(), partition, epoch);
        Long leaderBefore = leaderHighWatermarks.put(leadership, highWatermark);
        if (leaderBefore != null && highWatermark < leaderBefore) {
            fail("p" + partition + ": leader " + broker.id() + " moved its high watermark back in epoch " + epoch);
        }
        extendReference(broker, partition, log, highWatermark);
    }

    /** A leader's high watermark past the reference commits the batches up to it: they join the reference. */
    private void extendReference(SimBroker broker, int partition, PartitionLog log, long highWatermark) {
        long end = committedEnd(partition);
        if (highWatermark <= end) {
            return;
        }
        TreeMap<Long, CommittedBatch> batches = reference.computeIfAbsent(partition, unused -> new TreeMap<>());
        for (CommittedBatch batch : batches(log, end, highWatermark)) {
            if (batch.baseOffset() != end) {
                fail("p" + partition + ": leader " + broker.id() + " has a batch at " + batch.baseOffset()
                        + " where the committed history continues at " + end);
            }
            batches.put(batch.baseOffset(), batch);
            end = batch.nextOffset();
        }
        if (end < highWatermark) {
            fail("p" + partition + ": leader " + broker.id() + " has high watermark " + highWatermark
                    + " but batches only to " + end);
        }
        referenceEnd.put(partition, end);
    }

    private void verifyAgainstReference(SimBroker broker, int partition, Partition hosted,
            PartitionImage partitionImage) {
        PartitionLog log = hosted.log();
        long end = committedEnd(partition);
        boolean electedLeader = partitionImage.leader() == broker.id() && hosted.isLeader()
                && hosted.leaderEpoch() == partitionImage.leaderEpoch();
        if (electedLeader && log.logEndOffset() < end) {
            fail("p" + partition + ": elected leader " + broker.id() + " (epoch " + hosted.leaderEpoch()
                    + ") ends at " + log.logEndOffset() + ", below the committed end " + end
                    + ": committed records lost");
        }
        Integer uncleanEpoch = uncleanElectionEpochs.get(partition);
        if (!electedLeader && uncleanEpoch != null && log.latestEpoch().orElse(-1) < uncleanEpoch) {
            // Still the history from before an unclean election (perhaps with a checkpointed high watermark from
            // it, after a restart): Kafka promises nothing for it until the replica follows the new leader.
            return;
        }
        long target = electedLeader ? end : Math.min(end, log.highWatermark());
        ReplicaKey replica = new ReplicaKey(broker.id(), broker.incarnation(), partition);
        long verified = verifiedUpTo.getOrDefault(replica, log.logStartOffset());
        if (log.logEndOffset() < verified) {
            fail("p" + partition + " on " + broker.id() + ": truncated to " + log.logEndOffset()
                    + ", below the committed offset " + verified + " it held");
        }
        if (target <= verified) {
            return;
        }
        TreeMap<Long, CommittedBatch> batches = reference.get(partition);
        for (CommittedBatch batch : batches(log, verified, target)) {
            CommittedBatch committed = batches.get(batch.baseOffset());
            if (committed == null || !Arrays.equals(committed.bytes(), batch.bytes())) {
                fail("p" + partition + " on " + broker.id() + ": the batch at " + batch.baseOffset()
                        + " differs from the committed one" + (committed == null ? " (no committed batch starts there)"
                        : ""));
            }
            verified = batch.nextOffset();
        }
        verifiedUpTo.put(replica, verified);
    }

    private void checkAcks() {
        Iterator<Acknowledged> pending = pendingAcks.iterator();
        while (pending.hasNext()) {
            Acknowledged ack = pending.next();
            if (ack.baseOffset() + ack.values().size() > committedEnd(ack.partition())) {
                continue;
            }
            CommittedBatch batch = reference.get(ack.partition()).get(ack.baseOffset());
            List<String> found = batch == null ? List.of() : values(batch);
            if (!found.equals(ack.values())) {
                fail("p" + ack.partition() + ": acknowledged " + ack.values() + " at " + ack.baseOffset()
                        + " (at " + ack.atMs() + " ms) but the committed history holds " + found);
            }
            verifiedAcks++;
            pending.remove();
        }
    }

    /**
     * At the end, after the faults stopped and every broker ran a while: a partition with a leader has its ISR back
     * to at least {@code minInsyncReplicas} (a liveness check: replicas that could catch up did), and no
     * acknowledgement stays unverified on it.
     */
    void checkEnd(MetadataImage image, int minInsyncReplicas) {
        for (PartitionImage partitionImage : image.topic(SimBroker.TOPIC).orElseThrow().partitions().values()) {
            if (partitionImage.leader() != PartitionImage.NO_LEADER
                    && partitionImage.isr().size() < minInsyncReplicas) {
                fail("p" + partitionImage.partitionId() + ": the ISR " + partitionImage.isr() + " of leader "
                        + partitionImage.leader() + " did not recover after the faults ended");
            }
        }
        for (Acknowledged ack : pendingAcks) {
            PartitionImage partitionImage = image.topic(SimBroker.TOPIC).orElseThrow().partitions()
                    .get(ack.partition());
            if (partitionImage.leader() != PartitionImage.NO_LEADER) {
                fail("p" + ack.partition() + ": acknowledged " + ack.values() + " at " + ack.baseOffset()
                        + " never committed (committed end " + committedEnd(ack.partition()) + ", leader "
                        + partitionImage.leader() + ")");
            }
        }
    }

    private static List<String> values(CommittedBatch batch) {
        List<String> values = new ArrayList<>();
        for (Record record : RecordCodec.decode(new RecordBatch(ByteBuffer.wrap(batch.bytes()), 0), 1 << 20)) {
            ByteBuffer value = record.value().duplicate();
            byte[] bytes = new byte[value.remaining()];
            value.get(bytes);
            values.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return values;
    }

    /** The log's whole batches from {@code fromOffset} (a batch boundary) that start below {@code toOffset}. */
    private static List<CommittedBatch> batches(PartitionLog log, long fromOffset, long toOffset) {
        List<CommittedBatch> found = new ArrayList<>();
        ByteBuffer bytes = log.readAllFrom(fromOffset);
        while (bytes.remaining() >= RecordBatch.LOG_OVERHEAD_BYTES) {
            RecordBatch batch = new RecordBatch(bytes, bytes.position());
            if (batch.baseOffset() >= toOffset || batch.sizeInBytes() > bytes.remaining()) {
                break;
            }
            byte[] copy = new byte[batch.sizeInBytes()];
            bytes.get(copy);
            found.add(new CommittedBatch(batch.baseOffset(), batch.nextOffset(), copy));
        }
        return found;
    }

    private static void fail(String message) {
        throw new AssertionError(message);
    }
}
