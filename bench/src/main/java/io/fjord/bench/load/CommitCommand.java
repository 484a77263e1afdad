package io.fjord.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code commit}: offset-commit throughput and latency. {@code --threads} consumers of one group, each assigned its own
 * partition (no membership: Kafka's "simple" group use, as a stream processor committing for assigned partitions),
 * commit a rising offset with {@code commitSync} as fast as they can. Runs on the calling thread and a pool of
 * {@code --threads} threads, each owning one consumer.
 */
@Command(name = "commit", mixinStandardHelpOptions = true,
        description = "Commit offsets as fast as possible; report commits/s and commit latency.")
final class CommitCommand implements Callable<Integer> {
    @Mixin
    GroupOptions group;

    @Option(names = {"-n", "--commits"}, defaultValue = "100000",
            description = "Commits in total (split over the threads). Default: ${DEFAULT-VALUE}.")
    long commits;

    @Option(names = "--threads", defaultValue = "4",
            description = "Committing consumers, one thread and one partition each. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--reporting-interval-ms", defaultValue = "1000",
            description = "Progress line interval. Default: ${DEFAULT-VALUE}.")
    long reportingIntervalMs;

    private final PrintStream out;
    private final PrintStream progress;

    CommitCommand(PrintStream out, PrintStream progress) {
        this.out = out;
        this.progress = progress;
    }

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || commits < threads) {
            out.println("commit: need --threads >= 1 and --commits >= --threads");
            return 2;
        }
        TopicSetup.createIfMissing(group.bootstrapServers, group.topic, threads);
        group.groupIdOrNew("fjord-bench-commit");
        LoadStatistics statistics = new LoadStatistics();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long startNanos;
        long endNanos;
        try (ProgressReporter reporter = new ProgressReporter("commit", statistics, progress, reportingIntervalMs)) {
            reporter.start();
            startNanos = System.nanoTime();
            List<Future<Void>> workers = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                int partition = thread;
                long count = commits / threads + (thread < commits % threads ? 1 : 0);
                workers.add(pool.submit(() -> commitLoop(partition, count, statistics)));
            }
            for (Future<Void> worker : workers) {
                worker.get();
            }
            endNanos = System.nanoTime();
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        Histogram latencies = statistics.total();
        long elapsedNanos = endNanos - startNanos;
        out.printf(Locale.ROOT, "commit summary: %,d commits by %d consumers in %.2f s: %,.0f commits/s; latency "
                        + "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%n", statistics.records(), threads,
                elapsedNanos / 1e9, Figures.perSecond(statistics.records(), elapsedNanos),
                Figures.millis(latencies, 50), Figures.millis(latencies, 99), Figures.millis(latencies, 99.9));
        out.printf(Locale.ROOT, "RESULT mode=commit protocol=%s threads=%d commits=%d seconds=%.3f "
                        + "commits_per_sec=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f%n", group.groupProtocol,
                threads, statistics.records(), elapsedNanos / 1e9,
                Figures.perSecond(statistics.records(), elapsedNanos), Figures.millis(latencies, 50),
                Figures.millis(latencies, 99), Figures.millis(latencies, 99.9));
        return 0;
    }

    private Void commitLoop(int partition, long count, LoadStatistics statistics) {
        TopicPartition topicPartition = new TopicPartition(group.topic, partition);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                group.consumerProperties("fjord-bench-committer-" + partition), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(topicPartition));
            for (long offset = 1; offset <= count; offset++) {
                long sentNanos = System.nanoTime();
                consumer.commitSync(Map.of(topicPartition, new OffsetAndMetadata(offset)));
                statistics.record(1, 0, (System.nanoTime() - sentNanos) / 1000);
            }
        }
        return null;
    }
}
