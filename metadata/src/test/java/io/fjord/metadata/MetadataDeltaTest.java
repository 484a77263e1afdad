package io.fjord.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.ClearElrRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.metadata.records.UnregisterBrokerRecord;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MetadataDeltaTest {
    private static final UUID TOPIC = new UUID(3, 3);
    private long offset;

    private MetadataImage replay(MetadataImage base, MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(base);
        for (MetadataRecord record : records) {
            delta.replay(record, offset++);
        }
        return delta.apply();
    }

    private static RegisterBrokerRecord registration(int brokerId, long epoch) {
        return new RegisterBrokerRecord(brokerId, new UUID(brokerId, epoch), epoch, List.of(), List.of(), null, true,
                false);
    }

    @Test
    void brokerRegistrationsKeepEpochStateAndRegistrationOffset() {
        offset = 10;
        MetadataImage image = replay(MetadataImage.EMPTY, registration(1, 4), registration(2, 5));
        BrokerImage first = image.brokers().get(1);
        assertThat(first.brokerEpoch()).isEqualTo(4);
        assertThat(first.registeredOffset()).isEqualTo(10);
        assertThat(first.fenced()).isTrue();
        assertThat(image.lastBrokerEpoch()).isEqualTo(5);

        image = replay(image, BrokerRegistrationChangeRecord.unfence(1, 4));
        assertThat(image.brokers().get(1).active()).isTrue();
        image = replay(image, BrokerRegistrationChangeRecord.controlledShutdown(1, 4));
        assertThat(image.brokers().get(1).inControlledShutdown()).isTrue();
        assertThat(image.brokers().get(1).controlledShutdownOffset()).isEqualTo(13);
        assertThat(image.brokers().get(1).active()).isFalse();
        image = replay(image, BrokerRegistrationChangeRecord.fence(1, 4));
        assertThat(image.brokers().get(1).fenced()).isTrue();
        assertThat(image.brokers().get(1).inControlledShutdown()).isFalse();
        assertThat(image.brokers().get(1).controlledShutdownOffset()).isEqualTo(-1);

        MetadataImage before = image;
        assertThatThrownBy(() -> replay(before, BrokerRegistrationChangeRecord.unfence(1, 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("epoch 3");
        assertThatThrownBy(() -> replay(before, new UnregisterBrokerRecord(9, 1)))
                .isInstanceOf(IllegalStateException.class);
        image = replay(image, new UnregisterBrokerRecord(1, 4));
        assertThat(image.brokers()).containsOnlyKeys(2);
        assertThat(image.lastBrokerEpoch()).isEqualTo(5);
    }

    @Test
    void clearingElrsEmptiesBothListsOfTheTopicsPartitionsThatHaveThemAsAPartitionChange() {
        UUID other = new UUID(4, 4);
        MetadataImage image = replay(MetadataImage.EMPTY, new TopicRecord("t", TOPIC),
                new PartitionRecord(TOPIC, 0, List.of(1, 2, 3), List.of(1), 1, 4, 6, List.of(), List.of(),
                        PartitionRecord.RECOVERED, List.of(2, 3), List.of()),
                new PartitionRecord(TOPIC, 1, List.of(1, 2, 3), List.of(), -1, 5, 9, List.of(), List.of(),
                        PartitionRecord.RECOVERED, List.of(), List.of(2)),
                new PartitionRecord(TOPIC, 2, List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 6),
                new TopicRecord("u", other),
                new PartitionRecord(other, 0, List.of(1, 2, 3), List.of(1), 1, 2, 3, List.of(), List.of(),
                        PartitionRecord.RECOVERED, List.of(2), List.of(3)));

        MetadataImage cleared = replay(image, new ClearElrRecord("t"));
        PartitionImage withElr = cleared.topic("t").orElseThrow().partitions().get(0);
        assertThat(withElr.eligibleLeaderReplicas()).isEmpty();
        assertThat(withElr.partitionEpoch()).isEqualTo(7);
        assertThat(withElr.leaderEpoch()).isEqualTo(4);
        assertThat(withElr.isr()).containsExactly(1);
        PartitionImage withLastKnown = cleared.topic("t").orElseThrow().partitions().get(1);
        assertThat(withLastKnown.lastKnownElr()).isEmpty();
        assertThat(withLastKnown.partitionEpoch()).isEqualTo(10);
        assertThat(withLastKnown.leader()).isEqualTo(-1);
        // A partition with neither list is not changed (no epoch bump), nor is another topic.
        assertThat(cleared.topic("t").orElseThrow().partitions().get(2))
                .isEqualTo(image.topic("t").orElseThrow().partitions().get(2));
        assertThat(cleared.topic("u")).isEqualTo(image.topic("u"));

        MetadataImage all = replay(image, ClearElrRecord.allTopics());
        assertThat(all.topic("u").orElseThrow().partitions().get(0).eligibleLeaderReplicas()).isEmpty();
        assertThat(all.topic("u").orElseThrow().partitions().get(0).lastKnownElr()).isEmpty();
        assertThat(all.topic("t")).isEqualTo(cleared.topic("t"));
        // The log is the truth: clearing a topic it never created means it is damaged.
        assertThatThrownBy(() -> replay(image, new ClearElrRecord("missing")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("missing");
    }

    @Test
    void partitionChangesRaiseThePartitionEpochAndTheLeaderEpochOnlyWithALeader() {
        MetadataImage image = replay(MetadataImage.EMPTY, new TopicRecord("t", TOPIC),
                new PartitionRecord(TOPIC, 0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 6));
        image = replay(image, new PartitionChangeRecord(TOPIC, 0, List.of(2, 3), PartitionChangeRecord.NO_LEADER_CHANGE));
        PartitionImage partition = image.topic("t").orElseThrow().partitions().get(0);
        assertThat(partition.isr()).containsExactly(2, 3);
        assertThat(partition.leader()).isEqualTo(1);
        assertThat(partition.leaderEpoch()).isEqualTo(4);
        assertThat(partition.partitionEpoch()).isEqualTo(7);

        image = replay(image, new PartitionChangeRecord(TOPIC, 0, List.of(3), 3, null, null, null,
                PartitionRecord.RECOVERING, null, null));
        partition = image.topic("t").orElseThrow().partitions().get(0);
        assertThat(partition.leader()).isEqualTo(3);
        assertThat(partition.leaderEpoch()).isEqualTo(5);
        assertThat(partition.partitionEpoch()).isEqualTo(8);
        assertThat(partition.leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERING);
        assertThat(partition.replicas()).containsExactly(1, 2, 3);

        MetadataImage before = image;
        assertThatThrownBy(() -> replay(before, new PartitionChangeRecord(TOPIC, 5, null, 1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void featureLevelsAreFinalizedAndLevelZeroRemovesThem() {
        MetadataImage image = replay(MetadataImage.EMPTY, new FeatureLevelRecord("group.version", (short) 1));
        assertThat(image.features()).containsEntry("group.version", (short) 1);
        image = replay(image, new FeatureLevelRecord("group.version", (short) 0));
        assertThat(image.features()).isEmpty();
    }
}
