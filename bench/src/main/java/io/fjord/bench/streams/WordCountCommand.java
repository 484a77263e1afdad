package io.fjord.bench.streams;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Kafka Streams word count throughput against a Kafka-protocol broker: {@code java -cp bench/target/fjord-bench.jar
 * io.fjord.bench.streams.WordCountCommand -b HOST:PORT -t TOPIC -n LINES}. Creates the input and output topics, fills
 * the input with {@code -n} lines (not timed into the result), runs the word count topology with one stream thread
 * until every word has reached the count (from the first line in to the last word counted is the time measured),
 * closes it (its last commit), then reads the output with read_committed and checks
 * that the final counts add up to the words written. Prints a {@code RESULT key=value ...} line; progress goes to
 * standard error. Not thread-safe; one run per process.
 */
@Command(name = "streams-word-count", mixinStandardHelpOptions = true,
        description = "Run Kafka Streams' word count over generated lines; report lines/s through the topology.")
public final class WordCountCommand implements Callable<Integer> {
    @Option(names = {"-b", "--bootstrap-server"}, required = true, paramLabel = "HOST:PORT",
            description = "Broker(s) to connect to (Fjord or Kafka).")
    String bootstrapServers;

    @Option(names = {"-t", "--topic"}, required = true,
            description = "Input topic (created); the output is <topic>-counts, the application id <topic>-app.")
    String topic;

    @Option(names = {"-n", "--lines"}, required = true, description = "Lines to write and count.")
    long lines;

    @Option(names = "--words-per-line", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int wordsPerLine;

    @Option(names = "--vocabulary", defaultValue = "10000", description = "Distinct words. Default: ${DEFAULT-VALUE}.")
    int vocabularySize;

    @Option(names = {"-p", "--partitions"}, defaultValue = "4",
            description = "Partitions of the input and output topics. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--guarantee", defaultValue = "exactly_once_v2",
            description = "processing.guarantee: exactly_once_v2 or at_least_once. Default: ${DEFAULT-VALUE}.")
    String guarantee;

    @Option(names = "--timeout-s", defaultValue = "300",
            description = "Give up when the topology has not taken every line after this long. "
                    + "Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = {"-X", "--property"}, paramLabel = "KEY=VALUE",
            description = "Extra client configuration for every client (e.g. security settings).")
    Map<String, String> properties = new LinkedHashMap<>();

    private final PrintStream out;
    private final PrintStream progress;

    WordCountCommand(PrintStream out, PrintStream progress) {
        this.out = out;
        this.progress = progress;
    }

    public static void main(String[] arguments) {
        System.exit(new CommandLine(new WordCountCommand(System.out, System.err)).execute(arguments));
    }

    @Override
    public Integer call() throws Exception {
        if (lines < 1 || partitions < 1 || !List.of("exactly_once_v2", "at_least_once").contains(guarantee)) {
            out.println("streams-word-count: need --lines >= 1, --partitions >= 1, --guarantee exactly_once_v2 or "
                    + "at_least_once");
            return 2;
        }
        String outputTopic = topic + "-counts";
        String applicationId = topic + "-app";
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1),
                    new NewTopic(outputTopic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
            double fillSeconds = fill();
            progress.printf(Locale.ROOT, "filled %d lines in %.1f s%n", lines, fillSeconds);
            Path stateDirectory = Files.createTempDirectory("fjord-word-count-");
            try {
                return count(outputTopic, applicationId, stateDirectory);
            } finally {
                deleteRecursively(stateDirectory);
                // Streams' internal topics follow Kafka's naming: <application id>-<name>-repartition|-changelog.
                deleteTopics(admin, List.of(topic, outputTopic, applicationId + "-words-repartition",
                        applicationId + "-counts-changelog"));
            }
        }
    }

    private int count(String outputTopic, String applicationId, Path stateDirectory) throws InterruptedException {
        WordCountTopology topology = new WordCountTopology();
        Properties config = clientProperties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDirectory.toString());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
        config.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        long words = lines * wordsPerLine;
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        KafkaStreams streams = new KafkaStreams(topology.build(topic, outputTopic), config);
        long closeMillis;
        try {
            streams.start();
            long nextReportNanos = startNanos + TimeUnit.SECONDS.toNanos(1);
            while (topology.wordsCounted() < words) {
                if (System.nanoTime() > deadlineNanos || streams.state() == KafkaStreams.State.ERROR) {
                    out.printf(Locale.ROOT, "streams-word-count: %d of %d words counted after %d s (state %s)%n",
                            topology.wordsCounted(), words, timeoutSeconds, streams.state());
                    return 1;
                }
                if (System.nanoTime() >= nextReportNanos) {
                    progress.printf(Locale.ROOT, "%d lines in, %d words counted, state %s%n", topology.linesIn(),
                            topology.wordsCounted(), streams.state());
                    nextReportNanos += TimeUnit.SECONDS.toNanos(1);
                }
                Thread.sleep(20);
            }
        } finally {
            long closeStartNanos = System.nanoTime();
            streams.close(Duration.ofSeconds(60));
            closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStartNanos);
            streams.cleanUp();
        }
        double seconds = (topology.latestWordNanos() - topology.firstLineNanos()) / 1e9;
        long startupMillis = TimeUnit.NANOSECONDS.toMillis(topology.firstLineNanos() - startNanos);
        long countedWords = new CountsReader(clientProperties(), outputTopic).sumOfFinalCounts(Duration.ofSeconds(60));
        out.printf(Locale.ROOT, "RESULT mode=streams-word-count guarantee=%s lines=%d records_per_sec=%.1f "
                        + "words_per_sec=%.1f startup_ms=%d close_ms=%d counted_words=%d exact=%b%n", guarantee, lines,
                lines / seconds, words / seconds, startupMillis, closeMillis, countedWords, countedWords == words);
        return countedWords == words ? 0 : 1;
    }

    /** Writes the lines (acks=all, idempotent, as fast as the producer takes them); returns the seconds it took. */
    private double fill() {
        Properties config = clientProperties();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        WordLines text = new WordLines(1, wordsPerLine, vocabularySize);
        long startNanos = System.nanoTime();
        try (KafkaProducer<byte[], String> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new StringSerializer())) {
            for (long line = 0; line < lines; line++) {
                producer.send(new ProducerRecord<>(topic, text.next()));
            }
            producer.flush();
        }
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Deletes what exists of the run's topics; a failure is reported, not thrown (it would hide the run's own). */
    private void deleteTopics(Admin admin, List<String> topics) {
        admin.deleteTopics(topics).topicNameValues().forEach((name, deletion) -> {
            try {
                deletion.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                progress.println("could not delete topic " + name + ": " + e.getMessage());
            }
        });
    }

    private Properties clientProperties() {
        Properties config = new Properties();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putAll(properties);
        return config;
    }

    private static void deleteRecursively(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted((first, second) -> second.compareTo(first)).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
