package io.fjord.broker;

import io.fjord.broker.config.ConfigResolver;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.storage.LogConfig;
import io.fjord.storage.LogManager;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's logs in line with the metadata: creates a log for every partition with a replica on this node,
 * applies topic config changes and, as Kafka does, changes of the dynamic broker configs underneath them (to every
 * log: a topic override still wins, since each log's config is resolved again), deletes the logs of removed topics.
 * On a single node the log's high watermark follows its end (there are no followers to wait for). Called on the
 * metadata loader's thread.
 */
public final class LogPublisher implements MetadataPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(LogPublisher.class);

    private final int nodeId;
    private final LogManager logManager;
    private final ImageConfigResolver configs;

    /**
     * @param configs the config resolver of each image (a topic's log config is its overrides over the broker's)
     */
    public LogPublisher(int nodeId, LogManager logManager, ImageConfigResolver configs) {
        this.nodeId = nodeId;
        this.logManager = logManager;
        this.configs = configs;
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current) {
        for (TopicImage removed : previous.topicsById().values()) {
            if (!current.topicsById().containsKey(removed.topicId())) {
                for (Integer partition : removed.partitions().keySet()) {
                    logManager.deleteLog(new TopicPartition(removed.name(), partition));
                }
                LOG.info("Deleted the logs of topic {} ({} partitions)", removed.name(),
                        removed.partitions().size());
            }
        }
        ConfigResolver resolver = configs.resolve(current);
        boolean brokerConfigsChanged = configs.brokerConfigsChanged(previous, current);
        for (TopicImage topic : current.topicsById().values()) {
            LogConfig config = resolver.logConfig(current.topicConfig(topic.name()));
            boolean configChanged = brokerConfigsChanged
                    || !previous.topicConfig(topic.name()).equals(current.topicConfig(topic.name()));
            int created = 0;
            for (PartitionImage partition : topic.partitions().values()) {
                if (!partition.replicas().contains(nodeId)) {
                    continue;
                }
                TopicPartition topicPartition = new TopicPartition(topic.name(), partition.partitionId());
                if (logManager.getLog(topicPartition).isEmpty()) {
                    created++;
                }
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
            if (created > 0) {
                // One line per topic: a new offsets topic alone has 50 partitions (per-partition lines at DEBUG).
                LOG.info("Created {} logs for topic {}", created, topic.name());
            }
        }
    }
}
