package io.fjord.broker.coordinator.transactiondriver;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.protocol.message.CreateTopicsRequestData;

/**
 * How {@code __transaction_state} is created and written, by Kafka's broker config names. Immutable.
 *
 * @param partitionCount      {@code transaction.state.log.num.partitions}: used when the topic is created; afterwards
 *                            the topic's real partition count decides which partition owns an id (as in Kafka)
 * @param replicationFactor   {@code transaction.state.log.replication.factor}, as configured
 * @param minInSyncReplicas   {@code transaction.state.log.min.isr}, the topic's {@code min.insync.replicas}
 * @param segmentBytes        {@code transaction.state.log.segment.bytes}, the topic's {@code segment.bytes}
 * @param loadBufferSizeBytes {@code transaction.state.log.load.buffer.size}: the read size while loading a partition
 * @param commitTimeoutMs     how long a reply waits for its records to commit before it is answered
 *                            COORDINATOR_NOT_AVAILABLE: {@code request.timeout.ms}, Kafka's timeout for the
 *                            transaction log's appends
 */
public record TransactionStateTopicConfig(int partitionCount, short replicationFactor, int minInSyncReplicas,
        int segmentBytes, int loadBufferSizeBytes, long commitTimeoutMs) {

    /** The topic's name. */
    public static final String TOPIC = "__transaction_state";

    public TransactionStateTopicConfig {
        if (partitionCount < 1 || replicationFactor < 1 || minInSyncReplicas < 1 || segmentBytes < 1
                || loadBufferSizeBytes < 1 || commitTimeoutMs < 1) {
            throw new IllegalArgumentException("__transaction_state settings must be positive");
        }
    }

    /**
     * The topic as Kafka creates it: compacted, unclean leader election off, uncompressed, with
     * {@code min.insync.replicas} and {@code segment.bytes} from the broker settings and the configured replication
     * factor: while the controller cannot honour it (too few brokers) the creation fails and FindCoordinator answers
     * COORDINATOR_NOT_AVAILABLE, as Kafka's does; the topic is never created with fewer replicas.
     */
    public CreateTopicsRequestData.CreatableTopic creatableTopic() {
        CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic()
                .setName(TOPIC).setNumPartitions(partitionCount).setReplicationFactor(replicationFactor);
        topic.configs().add(config("unclean.leader.election.enable", "false"));
        topic.configs().add(config("compression.type", "uncompressed"));
        topic.configs().add(config("cleanup.policy", "compact"));
        topic.configs().add(config("min.insync.replicas", String.valueOf(minInSyncReplicas)));
        topic.configs().add(config("segment.bytes", String.valueOf(segmentBytes)));
        return topic;
    }

    /** Which partition owns a transactional id: Kafka's {@code Utils.abs(id.hashCode()) % partitionCount}. */
    public static int partitionFor(String transactionalId, int partitionCount) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partition count must be positive: " + partitionCount);
        }
        int hash = transactionalId.hashCode();
        int nonNegative = hash == Integer.MIN_VALUE ? 0 : Math.abs(hash);
        return nonNegative % partitionCount;
    }

    private static CreateTopicsRequestData.CreatableTopicConfig config(String name, String value) {
        return new CreateTopicsRequestData.CreatableTopicConfig().setName(name).setValue(value);
    }

    public static TransactionStateTopicConfig from(BrokerConfig config) {
        return new TransactionStateTopicConfig(config.intValue("transaction.state.log.num.partitions"),
                (short) config.intValue("transaction.state.log.replication.factor"),
                config.intValue("transaction.state.log.min.isr"),
                config.intValue("transaction.state.log.segment.bytes"),
                config.intValue("transaction.state.log.load.buffer.size"), config.intValue("request.timeout.ms"));
    }
}
