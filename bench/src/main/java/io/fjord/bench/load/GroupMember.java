package io.fjord.bench.load;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One consumer of the group on its own thread: subscribes, polls in a loop and reports its assignment to the
 * {@link AssignmentTracker} after every poll; {@link #stop()} makes it close cleanly (leaving the group). The
 * consumer is created, used and closed on the member's thread only (KafkaConsumer is not thread-safe); the other
 * methods are thread-safe.
 */
final class GroupMember {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(20);

    private final int index;
    private final Properties properties;
    private final String topic;
    private final AssignmentTracker tracker;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    GroupMember(int index, Properties properties, String topic, AssignmentTracker tracker) {
        this.index = index;
        this.properties = properties;
        this.topic = topic;
        this.tracker = tracker;
    }

    synchronized void start() {
        thread = new Thread(this::run, "group-member-" + index);
        thread.setDaemon(true);
        tracker.memberStarted(index);
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> created = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = created;
            created.subscribe(List.of(topic));
            while (running) {
                try {
                    created.poll(POLL_TIMEOUT);
                } catch (WakeupException e) {
                    continue; // stop() woke us; the loop condition decides
                }
                tracker.report(index, created.assignment());
            }
            tracker.memberStopped(index); // before close: its partitions are being given up
        } catch (Throwable e) {
            failure.set(e);
            tracker.memberStopped(index);
        } finally {
            stopped.countDown();
        }
    }

    /** Asks the member to leave the group and waits (bounded) until its consumer is closed. */
    boolean stop(long timeoutMs) throws InterruptedException {
        running = false;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    Throwable failure() {
        return failure.get();
    }

    int index() {
        return index;
    }
}
