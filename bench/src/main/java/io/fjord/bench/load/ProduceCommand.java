package io.fjord.bench.load;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code produce}: sends records as fast as the producer accepts them (it blocks when its buffer is full) and
 * measures each record's latency from {@code send} to its acknowledgement. Runs on the calling thread; callbacks run
 * on the producer's I/O thread.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Send records as fast as possible; report records/s, MB/s and send-to-ack latency.")
final class ProduceCommand implements Callable<Integer> {
    /** Fixed, so every run sends the same bytes. */
    private static final long PAYLOAD_SEED = 20_261_125L;

    @Mixin
    CommonOptions common;

    @Mixin
    ProducerOptions producer;

    @Option(names = "--compression", defaultValue = "none",
            description = "compression.type (none, gzip, snappy, lz4, zstd). Default: ${DEFAULT-VALUE}.")
    String compression;

    @Option(names = "--throughput", defaultValue = "0",
            description = "Cap on records/s (to measure latency below saturation); 0 sends as fast as possible. "
                    + "Default: ${DEFAULT-VALUE}.")
    long throughputRecordsPerSecond;

    private final PrintStream out;
    private final PrintStream progress;

    ProduceCommand(PrintStream out, PrintStream progress) {
        this.out = out;
        this.progress = progress;
    }

    Properties producerProperties() {
        Properties properties = producer.producerProperties(common.bootstrapServers, "fjord-load-producer");
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        properties.putAll(common.properties);
        return properties;
    }

    @Override
    public Integer call() throws Exception {
        TopicSetup.createIfMissing(common.bootstrapServers, common.topic, common.partitions);
        byte[] payload = new byte[common.recordSizeBytes];
        new Random(PAYLOAD_SEED).nextBytes(payload);
        LoadStatistics statistics = new LoadStatistics();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long startNanos;
        long endNanos;
        String requestFigures;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(),
                new ByteArraySerializer(), new ByteArraySerializer());
             ProgressReporter reporter = new ProgressReporter("produce", statistics, progress,
                     common.reportingIntervalMs)) {
            // Fetch the topic's metadata before the clock starts, as the first send would.
            producer.partitionsFor(common.topic);
            reporter.start();
            startNanos = System.nanoTime();
            Pacer pacer = new Pacer(startNanos, throughputRecordsPerSecond);
            for (long index = 0; index < common.records; index++) {
                pacer.awaitDue(index);
                long sendNanos = System.nanoTime();
                producer.send(new ProducerRecord<>(common.topic, payload), (metadata, error) -> {
                    if (error == null) {
                        statistics.record(1, payload.length, (System.nanoTime() - sendNanos) / 1000);
                    } else {
                        statistics.error();
                        firstError.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
            endNanos = System.nanoTime();
            requestFigures = requestFigures(producer);
        }
        out.println(Figures.summary("produce", "send-to-ack", statistics.records(), statistics.bytes(),
                statistics.errors(), endNanos - startNanos, statistics.total()));
        out.println(requestFigures);
        if (firstError.get() != null) {
            out.println("produce: first error: " + firstError.get());
            return 1;
        }
        return 0;
    }

    /**
     * How the producer grouped the records, from its own metrics: requests sent (all kinds: metadata requests are a
     * handful) and records per request over the whole run, and the batch size averaged over the metrics' last
     * window. A broker that answers sooner gets smaller requests from the same producer, and more of them.
     */
    private static String requestFigures(KafkaProducer<byte[], byte[]> producer) {
        double requests = ClientMetrics.value(producer.metrics(), "producer-metrics", "request-total");
        double records = ClientMetrics.value(producer.metrics(), "producer-metrics", "record-send-total");
        double batchBytes = ClientMetrics.value(producer.metrics(), "producer-metrics", "batch-size-avg");
        return String.format(Locale.ROOT, "PRODUCER requests=%.0f records_per_request=%.1f batch_bytes_avg=%.0f",
                requests, records / requests, batchBytes);
    }
}
