package io.fjord.bench.cluster;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code create-rate}: creates N topics of P partitions and replication factor R, one topic per CreateTopics request,
 * with at most K requests in flight, and reports topics per second (from the first request to the last response) and
 * the latency of each creation. A creation counts once its response arrives, which both systems send only after the
 * topic's records are committed. Runs on the main thread; responses are counted on the Admin client's thread.
 */
@Command(name = "create-rate", mixinStandardHelpOptions = true,
        description = "Create N topics, K requests in flight, and report topics per second.")
final class CreateRateCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--topics", defaultValue = "100", description = "Topics to create (default ${DEFAULT-VALUE}).")
    int topicCount;

    @Option(names = "--partitions", defaultValue = "10", description = "Partitions each (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "1",
            description = "Replication factor (default ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Option(names = "--in-flight", defaultValue = "1",
            description = "CreateTopics requests in flight at once (default ${DEFAULT-VALUE}: one after the other).")
    int inFlight;

    @Option(names = "--prefix", required = true, description = "Topic name prefix (unique per run).")
    String prefix;

    @Option(names = "--timeout-s", defaultValue = "300", description = "Give up after this long (default 300 s).")
    long timeoutSeconds;

    private final PrintStream out;
    private final PrintStream err;

    CreateRateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (topicCount < 1 || inFlight < 1) {
            err.println("create-rate: --topics and --in-flight must be at least 1");
            return 2;
        }
        long[] latenciesNanos = new long[topicCount];
        AtomicInteger failures = new AtomicInteger();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(topicCount);
        Semaphore permits = new Semaphore(inFlight);
        long startNanos;
        long[] lastResponseNanos = new long[1];
        try (Admin admin = cluster.admin()) {
            // The first request also fetches the client's metadata: do that before the clock starts.
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
            startNanos = System.nanoTime();
            for (int index = 0; index < topicCount; index++) {
                permits.acquire();
                int topic = index;
                long sentNanos = System.nanoTime();
                admin.createTopics(List.of(new NewTopic(prefix + "-" + index, partitions, replicationFactor)))
                        .all().whenComplete((ignored, failure) -> {
                            long now = System.nanoTime();
                            synchronized (lastResponseNanos) {
                                latenciesNanos[topic] = now - sentNanos;
                                lastResponseNanos[0] = Math.max(lastResponseNanos[0], now);
                            }
                            if (failure != null) {
                                failures.incrementAndGet();
                                if (errors.size() < 3) {
                                    errors.add(String.valueOf(failure));
                                }
                            }
                            permits.release();
                            done.countDown();
                        });
            }
            if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
                err.println("create-rate: " + done.getCount() + " creations unanswered after " + timeoutSeconds
                        + " s");
                return 1;
            }
            admin.close(Duration.ofSeconds(5));
        } catch (ExecutionException | TimeoutException e) {
            err.println("create-rate: cannot reach the cluster: " + e);
            return 1;
        }
        errors.forEach(error -> err.println("create-rate: failed: " + error));
        long[] sorted;
        double seconds;
        synchronized (lastResponseNanos) {
            sorted = latenciesNanos.clone();
            seconds = (lastResponseNanos[0] - startNanos) / 1e9;
        }
        Arrays.sort(sorted);
        int created = topicCount - failures.get();
        out.printf(Locale.ROOT, "RESULT mode=create-rate topics=%d created=%d failed=%d partitions=%d"
                        + " replication_factor=%d in_flight=%d seconds=%.3f topics_per_s=%.1f p50_ms=%.1f"
                        + " p99_ms=%.1f max_ms=%.1f%n", topicCount, created, failures.get(), partitions,
                replicationFactor, inFlight, seconds, created / seconds, millis(sorted, 0.50), millis(sorted, 0.99),
                sorted[sorted.length - 1] / 1e6);
        return failures.get() == 0 ? 0 : 1;
    }

    private static double millis(long[] sortedNanos, double quantile) {
        int index = (int) Math.min(sortedNanos.length - 1, Math.ceil(quantile * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, index)] / 1e6;
    }
}
