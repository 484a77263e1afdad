package io.fjord.integration;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A group member in a child JVM, so a test can kill it without it leaving the group (its session must time out).
 * {@link #main} subscribes, polls, commits after every poll that returned records (classic members with
 * {@link ClassicMembers#commit}, KIP-848 members with {@code commitSync}) and reports on standard output, one line
 * each: {@code ASSIGNED t-0,t-1}, {@code REVOKED ...}, {@code LOST ...} and {@code RECORD value}; {@link #start}
 * launches it and hands those lines to {@link Events}. Thread-safe.
 */
final class ChildGroupMember implements AutoCloseable {
    /** What the child reports, called on the parent's reader thread. */
    interface Events {
        void assigned(Collection<TopicPartition> partitions);

        /** Revoked or lost: the child no longer owns them. */
        void released(Collection<TopicPartition> partitions);

        void record(String value);
    }

    private final Process process;
    private final Thread reader;

    private ChildGroupMember(Process process, Thread reader) {
        this.process = process;
        this.reader = reader;
    }

    /**
     * Runs in the child: arguments are bootstrap servers, group id, topic, group protocol ({@code classic} or
     * {@code consumer}) and, for classic, the session timeout in ms.
     */
    public static void main(String[] arguments) {
        boolean classic = arguments[3].equals("classic");
        Properties properties;
        if (classic) {
            properties = ClassicMembers.properties(arguments[0], arguments[1],
                    Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.parseInt(arguments[4])));
        } else {
            properties = new Properties();
            properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, arguments[0]);
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, arguments[1]);
            properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, arguments[3]);
            properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        }
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "child-member");
        PrintStream out = System.out;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(arguments[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    report(out, "REVOKED", partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    report(out, "ASSIGNED", partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    report(out, "LOST", partitions);
                }
            });
            while (true) {
                var records = consumer.poll(Duration.ofMillis(50));
                for (ConsumerRecord<String, String> record : records) {
                    out.println("RECORD " + record.value());
                }
                out.flush();
                if (!records.isEmpty()) {
                    if (classic) {
                        ClassicMembers.commit(consumer);
                    } else {
                        consumer.commitSync();
                    }
                }
            }
        }
    }

    private static void report(PrintStream out, String event, Collection<TopicPartition> partitions) {
        synchronized (out) {
            out.println(event + " " + partitions.stream().map(TopicPartition::toString)
                    .collect(Collectors.joining(",")));
            out.flush();
        }
    }

    /**
     * Launches a member on this JVM's class path.
     *
     * @param sessionTimeoutMs the classic member's session timeout (ignored for {@code consumer}: the broker's)
     */
    static ChildGroupMember start(String bootstrapServers, String groupId, String topic, String groupProtocol,
            int sessionTimeoutMs, Events events) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                ChildGroupMember.class.getName(), bootstrapServers, groupId, topic, groupProtocol,
                String.valueOf(sessionTimeoutMs)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    int space = line.indexOf(' ');
                    String event = space < 0 ? line : line.substring(0, space);
                    String rest = space < 0 ? "" : line.substring(space + 1);
                    switch (event) {
                        case "RECORD" -> events.record(rest);
                        case "ASSIGNED" -> events.assigned(partitions(rest));
                        case "REVOKED", "LOST" -> events.released(partitions(rest));
                        default -> { }
                    }
                }
            } catch (IOException e) {
                // the child was killed: its output ends
            }
        }, "child-member-output");
        reader.setDaemon(true);
        reader.start();
        return new ChildGroupMember(process, reader);
    }

    private static List<TopicPartition> partitions(String list) {
        List<TopicPartition> parsed = new ArrayList<>();
        for (String item : list.split(",")) {
            int dash = item.lastIndexOf('-');
            if (dash > 0) {
                parsed.add(new TopicPartition(item.substring(0, dash), Integer.parseInt(item.substring(dash + 1))));
            }
        }
        return parsed;
    }

    /** Kills the child without letting it leave the group, and waits until its last report was handled. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        reader.join(10_000);
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
