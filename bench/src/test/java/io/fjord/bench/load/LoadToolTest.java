package io.fjord.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LoadToolTest {
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    @Test
    void produceDefaultsAreTheBenchmarkWorkloadAndPropertiesOverrideThem() {
        CommandLine commandLine = LoadTool.commandLine(out, out);
        CommandLine.ParseResult parsed = commandLine.parseArgs("produce", "-b", "127.0.0.1:9092", "-t", "load",
                "-n", "10", "-X", "linger.ms=20", "-X", "enable.idempotence=false");
        ProduceCommand produce = (ProduceCommand) parsed.subcommand().commandSpec().userObject();
        Properties properties = produce.producerProperties();
        assertThat(properties.getProperty("acks")).isEqualTo("all");
        assertThat(properties.getProperty("batch.size")).isEqualTo("16384");
        assertThat(properties.getProperty("compression.type")).isEqualTo("none");
        assertThat(properties.getProperty("linger.ms")).isEqualTo("20");
        assertThat(properties.getProperty("enable.idempotence")).isEqualTo("false");
        assertThat(produce.common.recordSizeBytes).isEqualTo(100);
    }

    @Test
    void consumeReadsWithoutAGroupFromTheBeginning() {
        CommandLine commandLine = LoadTool.commandLine(out, out);
        CommandLine.ParseResult parsed = commandLine.parseArgs("consume", "-b", "h:1", "-t", "load", "-n", "5");
        ConsumeCommand consume = (ConsumeCommand) parsed.subcommand().commandSpec().userObject();
        Properties properties = consume.consumerProperties();
        assertThat(properties.getProperty("group.id")).isNull();
        assertThat(properties.getProperty("auto.offset.reset")).isEqualTo("earliest");
        assertThat(properties.getProperty("enable.auto.commit")).isEqualTo("false");
    }

    @Test
    void groupModesJoinAGroupWithTheChosenProtocol() {
        CommandLine.ParseResult parsed = LoadTool.commandLine(out, out).parseArgs("rebalance", "-b", "h:1", "-t",
                "many", "--group-protocol", "consumer", "-X", "group.remote.assignor=range");
        RebalanceCommand rebalance = (RebalanceCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(rebalance.partitions).isEqualTo(900);
        assertThat(rebalance.consumers).isEqualTo(10);
        Properties properties = rebalance.group.consumerProperties("member-0");
        assertThat(properties.getProperty("group.protocol")).isEqualTo("consumer");
        assertThat(properties.getProperty("group.remote.assignor")).isEqualTo("range");
        assertThat(properties.getProperty("group.id")).startsWith("fjord-bench-");
        assertThat(rebalance.group.consumerProperties("member-1").getProperty("group.id"))
                .as("every member joins the same group").isEqualTo(properties.getProperty("group.id"));

        parsed = LoadTool.commandLine(out, out).parseArgs("commit", "-b", "h:1", "-t", "c", "-g", "g1");
        CommitCommand commit = (CommitCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(commit.threads).isEqualTo(4);
        assertThat(commit.group.consumerProperties("x").getProperty("group.protocol")).isEqualTo("classic");
        assertThat(commit.group.consumerProperties("x").getProperty("group.id")).isEqualTo("g1");
    }

    @Test
    void endToEndReadsFromTheEndWithoutAGroupAndNeedsAnOfferedLoad() {
        CommandLine.ParseResult parsed = LoadTool.commandLine(out, out).parseArgs("end-to-end", "-b", "h:1", "-t",
                "e", "-n", "100", "--throughput", "50");
        EndToEndCommand endToEnd = (EndToEndCommand) parsed.subcommand().commandSpec().userObject();
        Properties consumer = endToEnd.consumerProperties();
        assertThat(consumer.getProperty("group.id")).isNull();
        assertThat(consumer.getProperty("auto.offset.reset")).isEqualTo("latest");
        assertThat(endToEnd.producerProperties().getProperty("acks")).isEqualTo("all");
        assertThat(LoadTool.commandLine(out, out).execute("end-to-end", "-b", "h:1", "-t", "e", "-n", "1"))
                .as("no --throughput").isEqualTo(2);
        assertThat(LoadTool.commandLine(out, out).execute("end-to-end", "-b", "h:1", "-t", "e", "-n", "1", "-s", "8",
                "--throughput", "5")).as("too small for the stamp").isEqualTo(2);
    }

    @Test
    void withoutAModeItPrintsUsageAndFails() {
        assertThat(LoadTool.commandLine(out, out).execute()).isEqualTo(2);
        assertThat(LoadTool.commandLine(out, out).execute("produce", "-t", "x")).isEqualTo(2);
    }
}
