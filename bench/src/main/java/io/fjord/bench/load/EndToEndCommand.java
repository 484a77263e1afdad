package io.fjord.bench.load;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code end-to-end}: produces records at a fixed rate while a consumer in the same process reads every partition
 * from the end it found before the first send (assigned, no group), and measures each record's latency from the time
 * it was <em>due</em> to be sent to the time the consumer got it. Using the due time rather than the moment
 * {@code send} ran means a stalled producer (a full buffer, a paused JVM) counts against the latency instead of
 * silently lowering the offered load. Both clocks are this process's {@link System#nanoTime()}. The producer runs on
 * the calling thread, the consumer on one thread started by {@link #call()}; both record into thread-safe statistics.
 */
@Command(name = "end-to-end", mixinStandardHelpOptions = true,
        description = "Produce at a fixed rate and consume at once; report produce-to-consume latency.")
final class EndToEndCommand implements Callable<Integer> {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final long PAYLOAD_SEED = 20_261_205L;

    @Mixin
    CommonOptions common;

    @Option(names = "--throughput", required = true,
            description = "Offered load in records/s (spread evenly).")
    long throughputRecordsPerSecond;

    @Mixin
    ProducerOptions producer;

    @Option(names = "--warmup-records", defaultValue = "0",
            description = "Records at the start whose latency is not counted. Default: ${DEFAULT-VALUE}.")
    long warmupRecords;

    @Option(names = "--timeout-ms", defaultValue = "30000",
            description = "Give up when no record arrives for this long. Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    private final PrintStream out;
    private final PrintStream progress;

    EndToEndCommand(PrintStream out, PrintStream progress) {
        this.out = out;
        this.progress = progress;
    }

    Properties producerProperties() {
        Properties properties = producer.producerProperties(common.bootstrapServers,
                "fjord-load-end-to-end-producer");
        properties.putAll(common.properties);
        return properties;
    }

    Properties consumerProperties() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, common.bootstrapServers);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "fjord-load-end-to-end-consumer");
        return properties;
    }

    @Override
    public Integer call() throws Exception {
        if (common.recordSizeBytes < LatencyStamp.SIZE_BYTES || throughputRecordsPerSecond <= 0) {
            out.println("end-to-end: records need at least " + LatencyStamp.SIZE_BYTES + " bytes and the throughput"
                    + " must be positive");
            return 2;
        }
        TopicSetup.createIfMissing(common.bootstrapServers, common.topic, common.partitions);
        LoadStatistics latencies = new LoadStatistics();
        LoadStatistics acknowledgements = new LoadStatistics();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        CountDownLatch positioned = new CountDownLatch(1);
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLong lastConsumedNanos = new AtomicLong();
        Thread consumer = new Thread(() -> consume(latencies, positioned, producing, lastConsumedNanos, firstError),
                "end-to-end-consumer");
        byte[] value = new byte[common.recordSizeBytes];
        new Random(PAYLOAD_SEED).nextBytes(value);
        long startNanos;
        long producedNanos;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(),
                new ByteArraySerializer(), new ByteArraySerializer());
             ProgressReporter reporter = new ProgressReporter("end-to-end", latencies, progress,
                     common.reportingIntervalMs)) {
            producer.partitionsFor(common.topic);
            consumer.start();
            if (!positioned.await(60, TimeUnit.SECONDS) || firstError.get() != null) {
                out.println("end-to-end: the consumer could not position itself: " + firstError.get());
                producing.set(false);
                consumer.join(TimeUnit.SECONDS.toMillis(30));
                return 1;
            }
            reporter.start();
            startNanos = System.nanoTime();
            Pacer pacer = new Pacer(startNanos, throughputRecordsPerSecond);
            for (long index = 0; index < common.records; index++) {
                long dueNanos = pacer.awaitDue(index);
                long sentNanos = System.nanoTime();
                // send copies the value into its batch before returning, so one array serves every record.
                LatencyStamp.write(value, dueNanos, index);
                producer.send(new ProducerRecord<>(common.topic, value), (metadata, error) -> {
                    if (error == null) {
                        acknowledgements.record(1, common.recordSizeBytes, (System.nanoTime() - sentNanos) / 1000);
                    } else {
                        acknowledgements.error();
                        firstError.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
            producedNanos = System.nanoTime();
            consumer.join(timeoutMs + TimeUnit.SECONDS.toMillis(30));
            producing.set(false);
            consumer.join();
        }
        long elapsedNanos = Math.max(lastConsumedNanos.get(), producedNanos) - startNanos;
        var acknowledged = acknowledgements.total();
        out.printf(Locale.ROOT, "end-to-end: offered %,d records/s; produced %,d in %.2f s (%,d errors); send-to-ack "
                        + "p50 %.2f ms, p99 %.2f ms%n", throughputRecordsPerSecond, acknowledgements.records(),
                (producedNanos - startNanos) / 1e9, acknowledgements.errors(), Figures.millis(acknowledged, 50),
                Figures.millis(acknowledged, 99));
        out.println(Figures.summary("end-to-end", "due-to-consume", latencies.records(), latencies.bytes(),
                acknowledgements.errors(), elapsedNanos, latencies.total()));
        if (firstError.get() != null) {
            out.println("end-to-end: first error: " + firstError.get());
            return 1;
        }
        if (latencies.records() + Math.min(warmupRecords, common.records) < common.records) {
            out.printf("end-to-end: consumed only %,d of %,d records%n", latencies.records(), common.records);
            return 1;
        }
        return 0;
    }

    /** The consumer thread: positions at the end, then reads until every record arrived or nothing comes. */
    private void consume(LoadStatistics latencies, CountDownLatch positioned, AtomicBoolean producing,
            AtomicLong lastConsumedNanos, AtomicReference<Exception> firstError) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(common.topic);
            List<TopicPartition> assigned = partitions.stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToEnd(assigned);
            // Resolve the end offsets now: a lazy lookup after the first send could skip records.
            assigned.forEach(consumer::position);
            positioned.countDown();
            long seen = 0;
            long lastRecordNanos = System.nanoTime();
            while (seen < common.records) {
                var records = consumer.poll(POLL_TIMEOUT);
                long nowNanos = System.nanoTime();
                if (records.isEmpty()) {
                    if (!producing.get() || nowNanos - lastRecordNanos > TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                        return;
                    }
                    continue;
                }
                lastRecordNanos = nowNanos;
                lastConsumedNanos.set(nowNanos);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    seen++;
                    if (LatencyStamp.index(record.value()) >= warmupRecords) {
                        latencies.record(1, record.value().length,
                                (nowNanos - LatencyStamp.dueNanos(record.value())) / 1000);
                    }
                }
            }
        } catch (Exception e) {
            firstError.compareAndSet(null, e);
        } finally {
            positioned.countDown();
        }
    }
}
