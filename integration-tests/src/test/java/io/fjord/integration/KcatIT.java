package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kcat (librdkafka, Debian's package, installed by run-tests) produces and consumes against a Fjord node: a second,
 * independent Kafka client implementation that uses older API versions than the Java client, also as a group member
 * (librdkafka's classic-protocol balanced consumer).
 */
class KcatIT {
    @TempDir
    Path data;

    private record Result(int exitCode, String output) {
    }

    private static Result kcat(String input, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("kcat");
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kcat " + String.join(" ", arguments) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8));
    }

    @Test
    void kcatProducesAndConsumesWithEveryCodec() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of())) {
            String broker = node.bootstrapServers();
            StringBuilder expected = new StringBuilder();
            long offset = 0;
            for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
                StringBuilder input = new StringBuilder();
                for (int index = 0; index < 20; index++) {
                    input.append(codec).append(index).append(':').append("value-").append(codec).append('-')
                            .append(index).append('\n');
                    expected.append(codec).append(index).append('=').append("value-").append(codec).append('-')
                            .append(index).append('@').append(offset++).append('\n');
                }
                Result produced = kcat(input.toString(), "-b", broker, "-t", "kcat-topic", "-P", "-K:", "-z", codec);
                assertThat(produced.exitCode()).as("kcat produce with %s", codec).isZero();
            }
            Result consumed = kcat("", "-b", broker, "-t", "kcat-topic", "-C", "-o", "beginning", "-e", "-q",
                    "-f", "%k=%s@%o\\n");
            assertThat(consumed.exitCode()).isZero();
            assertThat(consumed.output()).isEqualTo(expected.toString());
            Result listed = kcat("", "-b", broker, "-L", "-t", "kcat-topic");
            assertThat(listed.output()).contains("topic \"kcat-topic\" with 1 partitions").contains("leader 1");
        }
    }

    /**
     * librdkafka 2.0.2 (Debian's kcat) compresses with gzip, snappy and lz4 only if ApiVersions lists Produce v0-2, as
     * Kafka 4.4 lists them (KAFKA-18659); otherwise it logs "Broker does not support compression type" at debug level
     * and sends the batches uncompressed. The consumer cannot tell, so this reads the stored batches' attributes.
     */
    @Test
    void kcatStoresItsBatchesCompressedWithTheCodecItWasAsked() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of())) {
            String broker = node.bootstrapServers();
            for (CompressionType codec : List.of(CompressionType.LZ4, CompressionType.GZIP, CompressionType.SNAPPY,
                    CompressionType.ZSTD)) {
                // Values that compress well: librdkafka sends a batch uncompressed when compressing does not shrink it.
                StringBuilder input = new StringBuilder();
                for (int index = 0; index < 50; index++) {
                    input.append("key-").append(index).append(":value-").append(index).append('-')
                            .append("abcdefgh".repeat(40)).append('\n');
                }
                String topic = "compressed-" + codec.configName();
                Result produced = kcat(input.toString(), "-b", broker, "-t", topic, "-P", "-K:", "-z",
                        codec.configName());
                assertThat(produced.exitCode()).as("kcat produce with %s", codec).isZero();
                // kcat exits once every message is acknowledged (acks=all), so all of them are in the log now.
                PartitionLog log = node.node().logManager().getLog(new TopicPartition(topic, 0)).orElseThrow();
                List<CompressionType> stored = new ArrayList<>();
                long records = 0;
                for (RecordBatch batch : RecordBatches.of(log.readAllFrom(log.logStartOffset()))) {
                    stored.add(batch.compressionType());
                    records += batch.lastOffset() - batch.baseOffset() + 1;
                }
                assertThat(records).as("records stored with %s", codec).isEqualTo(50);
                assertThat(stored).as("compression of the stored batches of %s", topic).isNotEmpty()
                        .containsOnly(codec);
            }
        }
    }

    @Test
    void kcatConsumesInAGroupAndResumesFromItsCommittedOffsets() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of("group.initial.rebalance.delay.ms", "0"))) {
            String broker = node.bootstrapServers();
            assertThat(kcat("k1:one\nk2:two\nk3:three\n", "-b", broker, "-t", "grouped", "-P", "-K:").exitCode())
                    .isZero();
            // librdkafka's balanced consumer (the classic protocol), committing as it goes and on exit.
            String[] groupConsumer = {"-b", broker, "-G", "kcat-group", "grouped", "-e", "-q", "-f", "%k=%s@%o\n",
                    "-X", "auto.offset.reset=earliest"};
            Result first = kcat("", groupConsumer);
            assertThat(first.exitCode()).isZero();
            assertThat(first.output()).isEqualTo("k1=one@0\nk2=two@1\nk3=three@2\n");

            assertThat(kcat("k4:four\n", "-b", broker, "-t", "grouped", "-P", "-K:").exitCode()).isZero();
            Result second = kcat("", groupConsumer);
            assertThat(second.exitCode()).isZero();
            assertThat(second.output()).as("only what came after the group's committed offset")
                    .isEqualTo("k4=four@3\n");
        }
    }
}
