package io.fjord.integration;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One consumer of a classic group on its own thread (a KafkaConsumer belongs to one thread): subscribes, polls,
 * commits after every poll that returned records, reports its assignments to a {@link PartitionOwnership} and adds
 * every value it reads to a shared set. {@link #close()} closes the consumer cleanly (leaving the group).
 * Thread-safe.
 */
final class GroupMember implements AutoCloseable {
    private final String name;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    private GroupMember(String name, Properties properties, String topic, PartitionOwnership ownership,
            Set<String> consumed) {
        this.name = name;
        this.thread = new Thread(() -> run(properties, topic, ownership, consumed), "member-" + name);
        this.thread.setDaemon(true);
    }

    /** Consumer settings for a member of {@code groupId} on {@code bootstrapServers} (classic protocol). */
    static Properties properties(String bootstrapServers, String groupId, Map<String, Object> extra) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        properties.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        properties.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        properties.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
        properties.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        properties.putAll(extra);
        return properties;
    }

    static GroupMember start(String name, Properties properties, String topic, PartitionOwnership ownership,
            Set<String> consumed) {
        GroupMember member = new GroupMember(name, properties, topic, ownership, consumed);
        member.thread.start();
        return member;
    }

    String name() {
        return name;
    }

    private void run(Properties properties, String topic, PartitionOwnership ownership, Set<String> consumed) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    ownership.revoked(name, partitions.stream().map(TopicPartition::partition).toList());
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    ownership.assigned(name, partitions.stream().map(TopicPartition::partition).toList());
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    ownership.revoked(name, partitions.stream().map(TopicPartition::partition).toList());
                }
            });
            while (running) {
                var records = consumer.poll(Duration.ofMillis(50));
                for (ConsumerRecord<String, String> record : records) {
                    consumed.add(record.value());
                }
                if (!records.isEmpty()) {
                    commit(consumer);
                }
            }
        } catch (Throwable e) {
            failure.set(e);
        } finally {
            ownership.gone(name);
            stopped.countDown();
        }
    }

    /**
     * Commits what was polled. A rebalance that begins meanwhile fails the commit (as on Kafka); the records are then
     * read again by their next owner, from the last commit, so nothing is lost.
     */
    static void commit(KafkaConsumer<String, String> consumer) {
        try {
            consumer.commitSync();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // retried implicitly: the next owner starts from the last successful commit
        }
    }

    /** What stopped the member's thread with an error, or null. */
    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (!stopped.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("member " + name + " did not close within 30 s");
        }
    }

    static Set<String> newValueSet() {
        return ConcurrentHashMap.newKeySet();
    }
}
