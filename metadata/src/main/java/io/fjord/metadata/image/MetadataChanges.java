package io.fjord.metadata.image;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * What one published image changed against the one before it, so publishers act on the changed entries only instead
 * of comparing whole images: topics created or changed (by id), topics removed (by id, found in the previous image),
 * brokers registered, changed or unregistered, and config resources whose overrides changed. A key listed may have
 * ended where it started (a change undone within one batch); a key not listed is the same object in both images.
 * Immutable.
 *
 * @param changedTopicIds      topics in the current image that are new or differ from the previous one
 * @param removedTopicIds      topics of the previous image that the current one lacks
 * @param changedBrokerIds     brokers registered, changed or unregistered
 * @param changedTopicConfigs  topic names whose overrides changed
 * @param changedBrokerConfigs broker ids as strings ("" for the cluster default) whose overrides changed
 * @param changedGroupConfigs  group ids whose overrides changed
 */
public record MetadataChanges(Set<UUID> changedTopicIds, Set<UUID> removedTopicIds, Set<Integer> changedBrokerIds,
                              Set<String> changedTopicConfigs, Set<String> changedBrokerConfigs,
                              Set<String> changedGroupConfigs) {
    public static final MetadataChanges NONE = new MetadataChanges(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(),
            Set.of());

    public MetadataChanges {
        changedTopicIds = Set.copyOf(changedTopicIds);
        removedTopicIds = Set.copyOf(removedTopicIds);
        changedBrokerIds = Set.copyOf(changedBrokerIds);
        changedTopicConfigs = Set.copyOf(changedTopicConfigs);
        changedBrokerConfigs = Set.copyOf(changedBrokerConfigs);
        changedGroupConfigs = Set.copyOf(changedGroupConfigs);
    }

    /**
     * The changes between two unrelated images (a snapshot installed, a publisher attached), by comparing every
     * entry: this costs the size of both images, as such a replacement does anyway.
     */
    public static MetadataChanges between(MetadataImage previous, MetadataImage current) {
        Set<UUID> removedTopicIds = new HashSet<>(previous.topicsById().keySet());
        removedTopicIds.removeAll(current.topicsById().keySet());
        Set<UUID> changedTopicIds = changedKeys(previous.topicsById(), current.topicsById());
        changedTopicIds.removeAll(removedTopicIds);
        return new MetadataChanges(changedTopicIds, removedTopicIds,
                changedKeys(previous.brokers(), current.brokers()),
                changedKeys(previous.topicConfigs(), current.topicConfigs()),
                changedKeys(previous.brokerConfigs(), current.brokerConfigs()),
                changedKeys(previous.groupConfigs(), current.groupConfigs()));
    }

    /**
     * The changes from {@code base} to {@code current} through an image in between, given the changes of each step:
     * the union of what either step touched, a topic counted as removed only if {@code base} had it and
     * {@code current} lacks it (one created and removed in between is in neither set). Costs the size of the two
     * changes, not of the images.
     */
    public static MetadataChanges merge(MetadataImage base, MetadataChanges first, MetadataChanges second,
                                        MetadataImage current) {
        Set<UUID> touchedTopics = new HashSet<>(first.changedTopicIds);
        touchedTopics.addAll(first.removedTopicIds);
        touchedTopics.addAll(second.changedTopicIds);
        touchedTopics.addAll(second.removedTopicIds);
        Set<UUID> changedTopicIds = new HashSet<>();
        Set<UUID> removedTopicIds = new HashSet<>();
        for (UUID topicId : touchedTopics) {
            if (current.topicsById().containsKey(topicId)) {
                changedTopicIds.add(topicId);
            } else if (base.topicsById().containsKey(topicId)) {
                removedTopicIds.add(topicId);
            }
        }
        return new MetadataChanges(changedTopicIds, removedTopicIds, union(first.changedBrokerIds,
                second.changedBrokerIds), union(first.changedTopicConfigs, second.changedTopicConfigs),
                union(first.changedBrokerConfigs, second.changedBrokerConfigs),
                union(first.changedGroupConfigs, second.changedGroupConfigs));
    }

    private static <K> Set<K> union(Set<K> first, Set<K> second) {
        Set<K> union = new HashSet<>(first);
        union.addAll(second);
        return union;
    }

    /** Keys present in the current map with another value than in the previous one, or only in the previous one. */
    private static <K, V> Set<K> changedKeys(Map<K, V> previous, Map<K, V> current) {
        Set<K> changed = new HashSet<>();
        current.forEach((key, value) -> {
            if (!Objects.equals(previous.get(key), value)) {
                changed.add(key);
            }
        });
        previous.keySet().forEach(key -> {
            if (!current.containsKey(key)) {
                changed.add(key);
            }
        });
        return changed;
    }

    /** Whether nothing in this set changed; publishers may skip an empty change. */
    public boolean isEmpty() {
        return changedTopicIds.isEmpty() && removedTopicIds.isEmpty() && changedBrokerIds.isEmpty()
                && changedTopicConfigs.isEmpty() && changedBrokerConfigs.isEmpty() && changedGroupConfigs.isEmpty();
    }
}
