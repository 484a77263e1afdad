package io.fjord.metadata.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.records.BrokerOffsetsRecord;
import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.ImageStateRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.MetadataRecordSerde;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.UnregisterBrokerRecord;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Property tests of {@link ImageWriter} and {@link ImageReader} over seeded random metadata logs. */
class ImageWriterTest {
    private static final int SEEDS = 300;
    private static final int RECORDS_PER_LOG = 160;

    private static MetadataImage replay(List<RandomMetadataLog.Step> steps, MetadataImage base) {
        MetadataDelta delta = new MetadataDelta(base);
        steps.forEach(step -> delta.replay(step.record(), step.offset()));
        return delta.apply();
    }

    /** Through the records' own encoding too, as a snapshot stores them. */
    private static MetadataImage roundTrip(MetadataImage image) {
        List<MetadataRecord> decoded = ImageWriter.write(image).stream()
                .map(record -> MetadataRecordSerde.read(MetadataRecordSerde.write(record))).toList();
        return ImageReader.read(decoded);
    }

    @Test
    void anImageReplayedFromItsRecordsIsEqualInEveryField() {
        Coverage coverage = new Coverage();
        for (long seed = 0; seed < SEEDS; seed++) {
            RandomMetadataLog log = new RandomMetadataLog(seed);
            List<RandomMetadataLog.Step> steps = log.generate(RECORDS_PER_LOG);
            MetadataImage image = replay(steps, MetadataImage.EMPTY);
            assertThat(image).isEqualTo(log.image());

            MetadataImage restored = roundTrip(image);

            assertThat(restored).as("seed %d", seed).isEqualTo(image);
            // Equal images give equal records, so every node writes the same snapshot for the same image.
            assertThat(ImageWriter.write(restored)).as("seed %d", seed).isEqualTo(ImageWriter.write(image));
            coverage.add(image);
        }
        coverage.check();
    }

    @Test
    void theLogAfterASnapshotReplaysOnItsImageAsOnTheWholeLog() {
        for (long seed = 0; seed < SEEDS; seed++) {
            List<RandomMetadataLog.Step> steps = new RandomMetadataLog(seed).generate(RECORDS_PER_LOG);
            int split = new java.util.Random(seed).nextInt(steps.size() + 1);
            // A snapshot holds whole entries: move the split to an entry's first record.
            while (split > 0 && split < steps.size() && steps.get(split).offset() == steps.get(split - 1).offset()) {
                split--;
            }
            MetadataImage snapshot = roundTrip(replay(steps.subList(0, split), MetadataImage.EMPTY));

            MetadataImage fromSnapshot = replay(steps.subList(split, steps.size()), snapshot);

            assertThat(fromSnapshot).as("seed %d split %d", seed, split)
                    .isEqualTo(replay(steps, MetadataImage.EMPTY));
        }
    }

    @Test
    void theEmptyImageWritesOnlyItsState() {
        assertThat(ImageWriter.write(MetadataImage.EMPTY)).containsExactly(new ImageStateRecord(-1, -1));
        assertThat(ImageReader.read(ImageWriter.write(MetadataImage.EMPTY))).isEqualTo(MetadataImage.EMPTY);
    }

    @Test
    void offsetsOfAnotherRegistrationOrInconsistentWithItsStateAreRefused() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(new RegisterBrokerRecord(1, new UUID(1, 1), 7, List.of(), List.of(), null, false, false), 3);

        assertThatThrownBy(() -> delta.replay(new BrokerOffsetsRecord(1, 8, 3, -1), -1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("epoch 8");
        assertThatThrownBy(() -> delta.replay(new BrokerOffsetsRecord(1, 7, 3, 5), -1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not in controlled shutdown");
        delta.replay(new BrokerOffsetsRecord(1, 7, 2, -1), -1);
        assertThat(delta.apply().brokers().get(1).registeredOffset()).isEqualTo(2);
    }

    /** Asserts that the generated logs reach the fields that only the snapshot's own records carry. */
    private static final class Coverage {
        private int controlledShutdowns;
        private int epochsAboveEveryBroker;
        private int registrationOffsetsBelowTheImage;
        private int producerIds;
        private int groupConfigs;
        private int elr;

        void add(MetadataImage image) {
            long highestEpoch = -1;
            for (BrokerImage broker : image.brokers().values()) {
                highestEpoch = Math.max(highestEpoch, broker.brokerEpoch());
                controlledShutdowns += broker.inControlledShutdown() ? 1 : 0;
                registrationOffsetsBelowTheImage += broker.registeredOffset() < image.offset() ? 1 : 0;
            }
            epochsAboveEveryBroker += image.lastBrokerEpoch() > highestEpoch ? 1 : 0;
            producerIds += image.nextProducerId() > 0 ? 1 : 0;
            groupConfigs += image.groupConfigs().isEmpty() ? 0 : 1;
            elr += image.topicsById().values().stream().flatMap(topic -> topic.partitions().values().stream())
                    .anyMatch(partition -> !partition.lastKnownElr().isEmpty()) ? 1 : 0;
        }

        void check() {
            assertThat(List.of(controlledShutdowns, epochsAboveEveryBroker, registrationOffsetsBelowTheImage,
                    producerIds, groupConfigs, elr)).allMatch(count -> count > 10);
        }
    }

    @Test
    void aControlledShutdownKeepsTheOffsetWhereItBegan() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(new RegisterBrokerRecord(1, new UUID(1, 1), 7, List.of(), List.of(), null, false, false), 3);
        delta.replay(BrokerRegistrationChangeRecord.controlledShutdown(1, 7), 9);
        delta.replay(new RegisterBrokerRecord(2, new UUID(2, 2), 30, List.of(), List.of(), null, false, false), 11);
        delta.replay(new UnregisterBrokerRecord(2, 30), 12);
        MetadataImage image = delta.apply();

        MetadataImage restored = roundTrip(image);

        assertThat(restored.brokers().get(1).controlledShutdownOffset()).isEqualTo(9);
        assertThat(restored.brokers().get(1).registeredOffset()).isEqualTo(3);
        assertThat(restored.lastBrokerEpoch()).isEqualTo(30);
        assertThat(restored.offset()).isEqualTo(12);
    }
}
