package io.fjord.broker;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.storage.LogConfig;
import io.fjord.storage.LogManager;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keeps the node's logs in line with the metadata: creates a log for every partition with a replica on this node,
 * applies topic config changes, deletes the logs of removed topics. On a single node the log's high watermark
 * follows its end (there are no followers to wait for). Called on the controller thread.
 */
public final class LogPublisher implements MetadataPublisher {
    private final int nodeId;
    private final LogManager logManager;
    private final Function<Map<String, String>, LogConfig> topicLogConfig;

    /**
     * @param topicLogConfig the log config for a topic's overrides (broker defaults underneath)
     */
    public LogPublisher(int nodeId, LogManager logManager, Function<Map<String, String>, LogConfig> topicLogConfig) {
        this.nodeId = nodeId;
        this.logManager = logManager;
        this.topicLogConfig = topicLogConfig;
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current) {
        for (TopicImage removed : previous.topicsById().values()) {
            if (!current.topicsById().containsKey(removed.topicId())) {
                for (Integer partition : removed.partitions().keySet()) {
                    logManager.deleteLog(new TopicPartition(removed.name(), partition));
                }
            }
        }
        for (TopicImage topic : current.topicsById().values()) {
            LogConfig config = topicLogConfig.apply(current.topicConfig(topic.name()));
            boolean configChanged = !previous.topicConfig(topic.name()).equals(current.topicConfig(topic.name()));
            for (PartitionImage partition : topic.partitions().values()) {
                if (!partition.replicas().contains(nodeId)) {
                    continue;
                }
                TopicPartition topicPartition = new TopicPartition(topic.name(), partition.partitionId());
                PartitionLog log = logManager.getOrCreateLog(topicPartition, config);
                if (configChanged) {
                    log.updateConfig(config);
                }
                if (partition.leader() == nodeId && partition.isr().equals(List.of(nodeId))) {
                    // The leader alone is in sync: everything it has is committed (also right after a restart,
                    // when the log opens with its high watermark at the log start).
                    log.updateHighWatermark(log.logEndOffset());
                }
            }
        }
    }
}
