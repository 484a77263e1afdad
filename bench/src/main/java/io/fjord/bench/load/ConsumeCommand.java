package io.fjord.bench.load;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code consume}: reads every partition of the topic from the beginning (assigned, no consumer group) until the
 * requested number of records arrived, and measures throughput. Latency is each record's age when it arrives (now
 * minus its CreateTime, millisecond resolution): end-to-end latency when a producer runs at the same time, only the
 * data's age when the topic was filled beforehand. Runs on the calling thread.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = "Read records from the beginning of every partition; report records/s, MB/s and record age.")
final class ConsumeCommand implements Callable<Integer> {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    @Mixin
    CommonOptions common;

    @Option(names = "--timeout-ms", defaultValue = "30000",
            description = "Give up when no record arrives for this long. Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    private final PrintStream out;
    private final PrintStream progress;

    ConsumeCommand(PrintStream out, PrintStream progress) {
        this.out = out;
        this.progress = progress;
    }

    Properties consumerProperties() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, common.bootstrapServers);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "fjord-load-consumer");
        properties.putAll(common.properties);
        return properties;
    }

    @Override
    public Integer call() throws Exception {
        TopicSetup.createIfMissing(common.bootstrapServers, common.topic, common.partitions);
        LoadStatistics statistics = new LoadStatistics();
        long startNanos;
        long endNanos;
        boolean timedOut = false;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             ProgressReporter reporter = new ProgressReporter("consume", statistics, progress,
                     common.reportingIntervalMs)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(common.topic);
            if (partitions == null || partitions.isEmpty()) {
                out.println("consume: topic " + common.topic + " has no partitions");
                return 1;
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            reporter.start();
            startNanos = System.nanoTime();
            long lastRecordNanos = startNanos;
            while (statistics.records() < common.records) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                long nowNanos = System.nanoTime();
                if (records.isEmpty()) {
                    if (nowNanos - lastRecordNanos > timeoutMs * 1_000_000L) {
                        timedOut = true;
                        break;
                    }
                    continue;
                }
                lastRecordNanos = nowNanos;
                long nowMs = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    long size = (record.key() == null ? 0 : record.key().length)
                            + (record.value() == null ? 0 : record.value().length);
                    statistics.record(1, size, (nowMs - record.timestamp()) * 1000);
                }
            }
            endNanos = timedOut ? lastRecordNanos : System.nanoTime();
        }
        out.println(Figures.summary("consume", "record age", statistics.records(), statistics.bytes(),
                statistics.errors(), endNanos - startNanos, statistics.total()));
        if (timedOut) {
            out.printf("consume: no record for %d ms after %,d of %,d records%n", timeoutMs, statistics.records(),
                    common.records);
            return 1;
        }
        return 0;
    }
}
