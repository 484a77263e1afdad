package io.fjord.integration;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A group member (either protocol) on its own thread for integration tests: creates its consumer on that thread,
 * subscribes (through the given action with the member's rebalance listener, so tests can use topic lists or
 * patterns), polls, records every value it receives, commits after every poll that returned records ({@code
 * commitSync}, or the rule {@link #committingWith} gives), and claims and releases partitions in an
 * {@link OwnershipLedger} from its rebalance callbacks. {@link #close()} closes the consumer cleanly (leaving the
 * group). The consumer is only touched by the member's thread; the accessors are thread-safe.
 */
final class GroupMemberThread implements AutoCloseable {
    private final String name;
    private final Properties properties;
    private final BiConsumer<KafkaConsumer<String, String>, ConsumerRebalanceListener> subscribe;
    private final OwnershipLedger ledger;
    private final Set<String> values;
    private Consumer<KafkaConsumer<String, String>> commit = KafkaConsumer::commitSync;
    private final AtomicInteger rebalanceCallbacks = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    GroupMemberThread(String name, Properties properties,
            BiConsumer<KafkaConsumer<String, String>, ConsumerRebalanceListener> subscribe, OwnershipLedger ledger,
            Set<String> values) {
        this.name = name;
        this.properties = properties;
        this.subscribe = subscribe;
        this.ledger = ledger;
        this.values = values;
    }

    /** A member that subscribes to {@code topic} and adds what it reads to {@code values}. */
    static GroupMemberThread subscribing(String name, Properties properties, String topic, OwnershipLedger ledger,
            Set<String> values) {
        return new GroupMemberThread(name, properties,
                (consumer, listener) -> consumer.subscribe(List.of(topic), listener), ledger, values);
    }

    /** Commits with {@code rule} instead of a plain {@code commitSync} (e.g. {@link ClassicMembers#commit}). */
    GroupMemberThread committingWith(Consumer<KafkaConsumer<String, String>> rule) {
        this.commit = rule;
        return this;
    }

    GroupMemberThread start() {
        thread = new Thread(this::run, "member-" + name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private ConsumerRebalanceListener listener() {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                rebalanceCallbacks.incrementAndGet();
                ledger.release(name, partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                rebalanceCallbacks.incrementAndGet();
                ledger.claim(name, partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                rebalanceCallbacks.incrementAndGet();
                ledger.release(name, partitions);
            }
        };
    }

    private void run() {
        try (KafkaConsumer<String, String> created = new KafkaConsumer<>(properties, new StringDeserializer(),
                new StringDeserializer())) {
            consumer = created;
            subscribe.accept(created, listener());
            while (running) {
                try {
                    var records = created.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<String, String> record : records) {
                        values.add(record.value());
                    }
                    if (!records.isEmpty()) {
                        commit.accept(created);
                    }
                } catch (WakeupException e) {
                    // close() woke the poll; the loop condition decides
                }
            }
        } catch (Throwable e) {
            failure.set(e);
        } finally {
            ledger.releaseAll(name);
            closed.countDown();
        }
    }

    String name() {
        return name;
    }

    Set<TopicPartition> owned() {
        return ledger.ownedBy(name);
    }

    int rebalanceCallbacks() {
        return rebalanceCallbacks.get();
    }

    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, String> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            if (!closed.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("member " + name + " did not close within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while member " + name + " closed", e);
        }
    }

    static Set<String> newValueSet() {
        return ConcurrentHashMap.newKeySet();
    }
}
