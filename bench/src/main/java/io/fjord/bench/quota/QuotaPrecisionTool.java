package io.fjord.bench.quota;

import io.fjord.bench.load.ClientMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Measures how closely a broker holds a producer and a consumer to their byte-rate quotas (issue #14: "within 20 %"):
 * sets {@code producer_byte_rate} for client id {@value #PRODUCER_CLIENT_ID} and {@code consumer_byte_rate} for
 * {@value #CONSUMER_CLIENT_ID}, runs Kafka's producer flat out for a while, then Kafka's consumer flat out over what
 * was written, and prints the achieved rates after a warm-up (the quota's first windows let a burst through) against
 * the quota. The broker counts a produce request's size and a fetch response's size, so the client's network bytes
 * ({@code outgoing-byte-total}, {@code incoming-byte-total}) are the figure to compare; record payload rates are
 * printed as well. Works against any Kafka-compatible broker (Fjord or Apache Kafka) with default quota windows.
 *
 * <p>Usage: {@code java -cp fjord-bench.jar io.fjord.bench.quota.QuotaPrecisionTool bootstrap [quotaBytesPerSecond]
 * [measuredSeconds] [warmupSeconds]}. Prints one {@code RESULT} line per direction. Single-threaded apart from the
 * clients' own threads; the acknowledged-bytes counter is atomic.
 */
public final class QuotaPrecisionTool {
    static final String PRODUCER_CLIENT_ID = "quota-producer";
    static final String CONSUMER_CLIENT_ID = "quota-consumer";
    private static final int RECORD_SIZE_BYTES = 1024;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private QuotaPrecisionTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: QuotaPrecisionTool bootstrap [quotaBytesPerSecond] [measuredSeconds]"
                    + " [warmupSeconds]");
            System.exit(2);
        }
        String bootstrap = args[0];
        double quotaBytesPerSecond = args.length > 1 ? Double.parseDouble(args[1]) : 1_048_576;
        long measuredSeconds = args.length > 2 ? Long.parseLong(args[2]) : 30;
        long warmupSeconds = args.length > 3 ? Long.parseLong(args[3]) : 5;
        String topic = "quota-precision-" + System.currentTimeMillis();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            setQuota(admin, PRODUCER_CLIENT_ID, "producer_byte_rate", quotaBytesPerSecond);
            setQuota(admin, CONSUMER_CLIENT_ID, "consumer_byte_rate", quotaBytesPerSecond);
        }
        produce(bootstrap, topic, quotaBytesPerSecond, warmupSeconds, measuredSeconds);
        consume(bootstrap, topic, quotaBytesPerSecond, warmupSeconds, measuredSeconds);
    }

    /** Sets the quota and waits until the broker describes it, so the run starts under it. */
    private static void setQuota(Admin admin, String clientId, String key, double value) throws Exception {
        ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId));
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity,
                List.of(new ClientQuotaAlteration.Op(key, value))))).all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Map<String, Double> described = admin.describeClientQuotas(ClientQuotaFilter.all()).entities()
                    .get(30, TimeUnit.SECONDS).getOrDefault(entity, Map.of());
            if (Double.valueOf(value).equals(described.get(key))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("quota " + key + " for " + clientId + " not described within 30 s");
    }

    private static void produce(String bootstrap, String topic, double quota, long warmupSeconds,
                                long measuredSeconds) throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, PRODUCER_CLIENT_ID);
        properties.put(ProducerConfig.ACKS_CONFIG, "1");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // A small buffer: what is still buffered when the run ends is abandoned, not measured.
        properties.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(4 * 1024 * 1024));
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        byte[] value = new byte[RECORD_SIZE_BYTES];
        AtomicLong acknowledgedBytes = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
            long start = System.nanoTime();
            long measureStart = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long end = measureStart + TimeUnit.SECONDS.toNanos(measuredSeconds);
            Snapshot first = null;
            while (System.nanoTime() < end) {
                if (first == null && System.nanoTime() >= measureStart) {
                    first = new Snapshot(System.nanoTime(), acknowledgedBytes.get(),
                            ClientMetrics.value(producer.metrics(), "producer-metrics", "outgoing-byte-total"));
                }
                producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                    if (exception == null) {
                        acknowledgedBytes.addAndGet(RECORD_SIZE_BYTES);
                    }
                });
            }
            Snapshot last = new Snapshot(System.nanoTime(), acknowledgedBytes.get(),
                    ClientMetrics.value(producer.metrics(), "producer-metrics", "outgoing-byte-total"));
            report("produce", quota, first, last,
                    ClientMetrics.value(producer.metrics(), "producer-metrics", "produce-throttle-time-avg"));
            producer.close(Duration.ZERO);
        }
    }

    private static void consume(String bootstrap, String topic, double quota, long warmupSeconds,
                                long measuredSeconds) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, CONSUMER_CLIENT_ID);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long endOffset = consumer.endOffsets(List.of(partition), CLIENT_TIMEOUT).get(partition);
            long consumedBytes = 0;
            long start = System.nanoTime();
            long measureStart = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long end = measureStart + TimeUnit.SECONDS.toNanos(measuredSeconds);
            Snapshot first = null;
            long position = 0;
            while (System.nanoTime() < end && position < endOffset) {
                if (first == null && System.nanoTime() >= measureStart) {
                    first = new Snapshot(System.nanoTime(), consumedBytes,
                            ClientMetrics.value(consumer.metrics(), "consumer-metrics", "incoming-byte-total"));
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    consumedBytes += record.serializedValueSize();
                    position = record.offset() + 1;
                }
            }
            if (position >= endOffset) {
                System.out.println("consume: WARNING reached the end of the written data before the run's end;"
                        + " the rate is a lower bound");
            }
            Snapshot last = new Snapshot(System.nanoTime(), consumedBytes,
                    ClientMetrics.value(consumer.metrics(), "consumer-metrics", "incoming-byte-total"));
            report("consume", quota, first, last, ClientMetrics.value(consumer.metrics(),
                    "consumer-fetch-manager-metrics", "fetch-throttle-time-avg"));
        }
    }

    private record Snapshot(long nanos, long payloadBytes, double networkBytes) {
    }

    private static void report(String direction, double quota, Snapshot first, Snapshot last,
                               double throttleTimeAverageMs) {
        if (first == null) {
            System.out.println(direction + ": ended before the warm-up did; nothing measured");
            return;
        }
        double seconds = (last.nanos() - first.nanos()) / 1e9;
        double networkRate = (last.networkBytes() - first.networkBytes()) / seconds;
        double payloadRate = (last.payloadBytes() - first.payloadBytes()) / seconds;
        System.out.printf("RESULT direction=%s quota_bytes_per_second=%.0f seconds=%.1f network_bytes_per_second=%.0f"
                        + " network_vs_quota=%.3f payload_bytes_per_second=%.0f payload_vs_quota=%.3f"
                        + " throttle_time_avg_ms=%.1f%n", direction, quota, seconds, networkRate,
                networkRate / quota, payloadRate, payloadRate / quota, throttleTimeAverageMs);
    }
}
