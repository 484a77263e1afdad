package io.fjord.broker.replica;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.MetadataPublisher;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's two replication quotas (Kafka's leader and follower ReplicationQuotaManagers), kept in step with the
 * metadata: the rates from the dynamic broker configs {@value #LEADER_RATE} and {@value #FOLLOWER_RATE} (this broker's
 * own, else the cluster-wide default, else unlimited), the throttled partitions from the topic configs
 * {@value #LEADER_REPLICAS} and {@value #FOLLOWER_REPLICAS} (the entries naming this broker, or {@code *}).
 * {@code kafka-reassign-partitions --throttle} sets all four and {@code --verify} removes them.
 *
 * <p>Thread-safety: {@link #publish} runs on the metadata publishing thread; the quotas are thread-safe.
 */
public final class ReplicationThrottles implements MetadataPublisher {
    public static final String LEADER_RATE = "leader.replication.throttled.rate";
    public static final String FOLLOWER_RATE = "follower.replication.throttled.rate";
    public static final String LEADER_REPLICAS = "leader.replication.throttled.replicas";
    public static final String FOLLOWER_REPLICAS = "follower.replication.throttled.replicas";
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationThrottles.class);

    private final ImageConfigResolver configs;
    private final ReplicationQuota leader;
    private final ReplicationQuota follower;
    /** Whether the rates were read once (a static setting applies before any dynamic change); loader thread only. */
    private boolean ratesSet;

    /** Quotas with the window settings of {@code replication.quota.window.num} and {@code .size.seconds}. */
    public ReplicationThrottles(ImageConfigResolver configs, BrokerConfig staticConfig, InstantSource clock) {
        this.configs = configs;
        int windowCount = staticConfig.intValue("replication.quota.window.num");
        long windowSizeMs = staticConfig.intValue("replication.quota.window.size.seconds") * 1000L;
        this.leader = new ReplicationQuota(windowCount, windowSizeMs, clock);
        this.follower = new ReplicationQuota(windowCount, windowSizeMs, clock);
    }

    /** The quota a leader applies to its reads for followers. */
    public ReplicationQuota leader() {
        return leader;
    }

    /** The quota a follower's fetchers apply to their requests. */
    public ReplicationQuota follower() {
        return follower;
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current) {
        publish(previous, current, MetadataChanges.between(previous, current));
    }

    /**
     * Acts on what changed only: the rates when the cluster default or this broker's configs changed, and the
     * throttled partitions of the topics whose configs changed or that were removed, so a change costs what it
     * changes, not the cluster's size.
     */
    @Override
    public void publish(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        Set<String> brokerConfigs = changes.changedBrokerConfigs();
        if (!ratesSet || brokerConfigs.contains(ImageConfigResolver.CLUSTER_DEFAULT)
                || brokerConfigs.contains(Integer.toString(configs.nodeId()))) {
            updateRates(configs.resolve(current));
        }
        Set<String> topics = new HashSet<>(changes.changedTopicConfigs());
        for (UUID removed : changes.removedTopicIds()) {
            TopicImage topic = previous.topicsById().get(removed);
            if (topic != null) {
                topics.add(topic.name());
            }
        }
        for (String topic : topics) {
            Map<String, String> topicConfig = current.topicsByName().containsKey(topic) ? current.topicConfig(topic)
                    : Map.of();
            leader.setThrottledPartitions(topic, ReplicationQuota.throttledPartitions(topicConfig.get(LEADER_REPLICAS),
                    configs.nodeId()));
            follower.setThrottledPartitions(topic, ReplicationQuota.throttledPartitions(
                    topicConfig.get(FOLLOWER_REPLICAS), configs.nodeId()));
        }
    }

    private void updateRates(ConfigResolver resolver) {
        long leaderRate = rate(resolver, LEADER_RATE);
        long followerRate = rate(resolver, FOLLOWER_RATE);
        if (leaderRate != leader.rateBoundBytesPerSecond() || followerRate != follower.rateBoundBytesPerSecond()) {
            LOG.info("Replication throttle rates: leader {}, follower {} bytes/s", describe(leaderRate),
                    describe(followerRate));
        }
        leader.setRateBoundBytesPerSecond(leaderRate);
        follower.setRateBoundBytesPerSecond(followerRate);
        ratesSet = true;
    }

    private static long rate(ConfigResolver resolver, String name) {
        String value = resolver.brokerValue(name);
        if (value == null) {
            return ReplicationQuota.UNLIMITED_BYTES_PER_SECOND;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return ReplicationQuota.UNLIMITED_BYTES_PER_SECOND; // validation keeps such values out of the metadata
        }
    }

    private static String describe(long rate) {
        return rate == ReplicationQuota.UNLIMITED_BYTES_PER_SECOND ? "unlimited" : Long.toString(rate);
    }
}
