package io.fjord.metadata.sim;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.quorum.MetadataEntries;
import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The cluster simulation's invariants catch what they are meant to: a checker that cannot fail proves nothing. */
class ClusterInvariantsTest {
    private static final UUID TOPIC = new UUID(1, 1);

    /** Brokers 1 and 2 unfenced; topic t with partition 0 on [1, 2], ISR [1], led by 1. */
    private static List<MetadataRecord> cluster() {
        return List.of(new RegisterBrokerRecord(1, new UUID(0, 1), 1, List.of(), List.of(), null, false, false),
                new RegisterBrokerRecord(2, new UUID(0, 2), 2, List.of(), List.of(), null, false, false),
                new TopicRecord("t", TOPIC), new PartitionRecord(TOPIC, 0, List.of(1, 2), List.of(1), 1, 0, 0));
    }

    private static SimLog log(List<List<MetadataRecord>> entries) {
        SimLog log = new SimLog();
        for (List<MetadataRecord> records : entries) {
            log.append(new LogEntry(log.endOffset(), 1, EntryType.DATA, MetadataEntries.encode(records)));
        }
        return log;
    }

    private static MetadataImage replay(List<List<MetadataRecord>> entries) {
        MetadataImage image = MetadataImage.EMPTY;
        long offset = 0;
        for (List<MetadataRecord> records : entries) {
            MetadataDelta delta = new MetadataDelta(image);
            for (MetadataRecord record : records) {
                delta.replay(record, offset);
            }
            image = delta.apply();
            offset++;
        }
        return image;
    }

    @Test
    void aCleanHistoryPasses() {
        List<List<MetadataRecord>> entries = List.of(cluster(), List.of(BrokerRegistrationChangeRecord.fence(1, 1),
                new PartitionChangeRecord(TOPIC, 0, List.of(1), -1)));
        ClusterInvariants invariants = new ClusterInvariants();
        assertThatCode(() -> {
            invariants.onHighWatermark(0, log(entries), 2);
            invariants.onApplied(0, 2, replay(entries));
        }).doesNotThrowAnyException();
    }

    @Test
    void aLeaderElectedFromOutsideTheIsrFails() {
        List<List<MetadataRecord>> entries = List.of(cluster(),
                List.of(new PartitionChangeRecord(TOPIC, 0, null, 2)));
        assertThatThrownBy(() -> new ClusterInvariants().onHighWatermark(0, log(entries), 2))
                .hasMessageContaining("outside the ISR");
    }

    @Test
    void aFencedLeaderFails() {
        List<List<MetadataRecord>> entries = List.of(cluster(), List.of(BrokerRegistrationChangeRecord.fence(1, 1)));
        assertThatThrownBy(() -> new ClusterInvariants().onHighWatermark(0, log(entries), 2))
                .hasMessageContaining("led by broker 1 which is not active");
    }

    @Test
    void aLeaderlessPartitionWithAnActiveIsrMemberFails() {
        List<List<MetadataRecord>> entries = List.of(cluster(), List.of(new PartitionChangeRecord(TOPIC, 0, null,
                -1)));
        assertThatThrownBy(() -> new ClusterInvariants().onHighWatermark(0, log(entries), 2))
                .hasMessageContaining("no leader although ISR member 1 is active");
    }

    @Test
    void aChangedCommittedEntryFails() {
        ClusterInvariants invariants = new ClusterInvariants();
        invariants.onHighWatermark(0, log(List.of(cluster())), 1);
        List<MetadataRecord> other = List.of(new TopicRecord("other", new UUID(2, 2)));
        assertThatThrownBy(() -> invariants.onHighWatermark(1, log(List.of(other)), 1))
                .hasMessageContaining("was committed");
    }

    @Test
    void anImageThatIsNotTheReplayOfItsPrefixFails() {
        List<List<MetadataRecord>> entries = List.of(cluster(), List.of(new TopicRecord("u", new UUID(3, 3))));
        ClusterInvariants invariants = new ClusterInvariants();
        invariants.onHighWatermark(0, log(entries), 2);
        assertThatThrownBy(() -> invariants.onApplied(0, 2, replay(entries.subList(0, 1))))
                .hasMessageContaining("differs from the replay");
    }

    @Test
    void epochsGoingBackOnANodeFail() {
        List<List<MetadataRecord>> entries = List.of(cluster(), List.of(new PartitionChangeRecord(TOPIC, 0, null,
                PartitionChangeRecord.NO_LEADER_CHANGE)));
        ClusterInvariants invariants = new ClusterInvariants();
        invariants.onHighWatermark(0, log(entries), 2);
        invariants.onApplied(0, 2, replay(entries));
        assertThatThrownBy(() -> invariants.onApplied(0, 1, replay(entries.subList(0, 1))))
                .hasMessageContaining("epochs went back");
    }
}
