package io.fjord.broker.coordinator.group;

import java.util.UUID;

/**
 * Topic names and ids as the cluster metadata knows them now; OffsetCommit and OffsetFetch v10 name topics by id
 * while offsets are kept by name. Implementations must answer from one thread's view without blocking.
 */
public interface TopicIdResolver {
    /** The topic's name, or null when no topic has this id. */
    String topicName(UUID topicId);

    /** The topic's id, or null when there is no such topic. */
    UUID topicId(String topicName);

    /** A resolver that knows no topic. */
    TopicIdResolver NONE = new TopicIdResolver() {
        @Override
        public String topicName(UUID topicId) {
            return null;
        }

        @Override
        public UUID topicId(String topicName) {
            return null;
        }
    };
}
