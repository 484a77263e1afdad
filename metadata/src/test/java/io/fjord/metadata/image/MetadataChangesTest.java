package io.fjord.metadata.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A delta's changes, over random metadata logs split into random batches: they name every entry that differs between
 * the base image and the next (as a full comparison finds it), removals exactly, and nothing else but entries that a
 * batch touched and left equal. Entries not named are shared, not copied, by the next image.
 */
class MetadataChangesTest {
    private static final int SEEDS = 200;
    private static final int RECORDS_PER_LOG = 160;

    @Test
    void aDeltasChangesAreTheDifferencesBetweenItsBaseAndItsImage() {
        for (long seed = 0; seed < SEEDS; seed++) {
            List<RandomMetadataLog.Step> steps = new RandomMetadataLog(seed).generate(RECORDS_PER_LOG);
            Random random = new Random(seed);
            MetadataImage base = MetadataImage.EMPTY;
            int index = 0;
            while (index < steps.size()) {
                int end = Math.min(steps.size(), index + 1 + random.nextInt(8));
                MetadataDelta delta = new MetadataDelta(base);
                for (RandomMetadataLog.Step step : steps.subList(index, end)) {
                    delta.replay(step.record(), step.offset());
                }
                MetadataImage next = delta.apply();
                MetadataChanges told = delta.changes();
                MetadataChanges found = MetadataChanges.between(base, next);
                String at = "seed " + seed + ", records " + index + "-" + end;

                assertThat(told.removedTopicIds()).as(at).isEqualTo(found.removedTopicIds());
                assertCovers(told.changedTopicIds(), found.changedTopicIds(), base.topicsById(), next.topicsById(), at);
                assertCovers(told.changedBrokerIds(), found.changedBrokerIds(), base.brokers(), next.brokers(), at);
                assertCovers(told.changedTopicConfigs(), found.changedTopicConfigs(), base.topicConfigs(),
                        next.topicConfigs(), at);
                assertCovers(told.changedBrokerConfigs(), found.changedBrokerConfigs(), base.brokerConfigs(),
                        next.brokerConfigs(), at);
                assertCovers(told.changedGroupConfigs(), found.changedGroupConfigs(), base.groupConfigs(),
                        next.groupConfigs(), at);
                // Structural sharing: a topic the batch did not touch is the very same object.
                for (Map.Entry<UUID, TopicImage> topic : next.topicsById().entrySet()) {
                    if (!told.changedTopicIds().contains(topic.getKey())) {
                        assertThat(topic.getValue()).as(at).isSameAs(base.topicsById().get(topic.getKey()));
                    }
                }
                base = next;
                index = end;
            }
        }
    }

    /**
     * Merged changes (the publishing thread merges images queued behind a slow publisher): over random logs, the
     * merge of the changes of a run of batches covers every difference between the run's first base and its last
     * image, removals exactly, as one batch's changes do.
     */
    @Test
    void mergedChangesAreTheDifferencesBetweenTheFirstBaseAndTheLastImage() {
        for (long seed = 0; seed < SEEDS; seed++) {
            List<RandomMetadataLog.Step> steps = new RandomMetadataLog(seed).generate(RECORDS_PER_LOG);
            Random random = new Random(seed);
            MetadataImage base = MetadataImage.EMPTY;
            MetadataImage mergedBase = base;
            MetadataChanges merged = null;
            int index = 0;
            while (index < steps.size()) {
                int end = Math.min(steps.size(), index + 1 + random.nextInt(8));
                MetadataDelta delta = new MetadataDelta(base);
                for (RandomMetadataLog.Step step : steps.subList(index, end)) {
                    delta.replay(step.record(), step.offset());
                }
                MetadataImage next = delta.apply();
                merged = merged == null ? delta.changes()
                        : MetadataChanges.merge(mergedBase, merged, delta.changes(), next);
                MetadataChanges found = MetadataChanges.between(mergedBase, next);
                String at = "seed " + seed + ", records up to " + end;
                assertThat(merged.removedTopicIds()).as(at).isEqualTo(found.removedTopicIds());
                assertCovers(merged.changedTopicIds(), found.changedTopicIds(), mergedBase.topicsById(),
                        next.topicsById(), at);
                assertCovers(merged.changedBrokerIds(), found.changedBrokerIds(), mergedBase.brokers(),
                        next.brokers(), at);
                assertCovers(merged.changedTopicConfigs(), found.changedTopicConfigs(), mergedBase.topicConfigs(),
                        next.topicConfigs(), at);
                assertCovers(merged.changedBrokerConfigs(), found.changedBrokerConfigs(),
                        mergedBase.brokerConfigs(), next.brokerConfigs(), at);
                assertCovers(merged.changedGroupConfigs(), found.changedGroupConfigs(), mergedBase.groupConfigs(),
                        next.groupConfigs(), at);
                if (random.nextInt(4) == 0) {
                    // The publisher caught up: the next merge starts from here.
                    mergedBase = next;
                    merged = null;
                }
                base = next;
                index = end;
            }
        }
    }

    private static <K, V> void assertCovers(Set<K> told, Set<K> found, Map<K, V> before, Map<K, V> after,
                                            String at) {
        assertThat(told).as(at).containsAll(found);
        Set<K> extra = new HashSet<>(told);
        extra.removeAll(found);
        for (K key : extra) {
            assertThat(Objects.equals(before.get(key), after.get(key))).as(at + ": " + key + " told but equal")
                    .isTrue();
        }
    }

    @Test
    void imagesBuiltFromPlainMapsBecomePersistentAndEqualTheirSource() {
        RandomMetadataLog log = new RandomMetadataLog(7);
        log.generate(RECORDS_PER_LOG);
        MetadataImage image = log.image();
        assertThat(image.topicsById()).isNotEmpty();
        MetadataImage copied = new MetadataImage(image.offset(), Map.copyOf(image.brokers()),
                Map.copyOf(image.topicsByName()), Map.copyOf(image.topicsById()), Map.copyOf(image.topicConfigs()),
                Map.copyOf(image.brokerConfigs()), image.nextProducerId(), Map.copyOf(image.groupConfigs()),
                Map.copyOf(image.features()), image.lastBrokerEpoch());

        assertThat(copied).isEqualTo(image);
        assertThat(copied.topicsById()).isInstanceOf(org.pcollections.PMap.class);
        assertThat(MetadataChanges.between(image, copied).isEmpty()).isTrue();
    }
}
