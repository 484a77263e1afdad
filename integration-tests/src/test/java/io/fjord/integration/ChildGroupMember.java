package io.fjord.integration;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A group member in a child JVM, so a test can kill it without it leaving the group (its session must time out).
 * {@link #main} consumes and commits like {@link GroupMember} and prints "assigned 1,4", "revoked 1,4" and
 * "value v" lines; {@link #start} launches it and feeds those lines to the parent's ownership and value set.
 */
final class ChildGroupMember {
    private final String name;
    private final Process process;
    private final Thread reader;

    private ChildGroupMember(String name, Process process, Thread reader) {
        this.name = name;
        this.process = process;
        this.reader = reader;
    }

    /** Runs in the child: arguments are bootstrap servers, group id, topic, session timeout ms. */
    public static void main(String[] arguments) {
        Properties properties = GroupMember.properties(arguments[0], arguments[1],
                Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.parseInt(arguments[3])));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
            consumer.subscribe(List.of(arguments[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    print("revoked " + join(partitions));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    print("assigned " + join(partitions));
                }
            });
            while (true) {
                var records = consumer.poll(Duration.ofMillis(50));
                if (!records.isEmpty()) {
                    GroupMember.commit(consumer);
                }
                for (ConsumerRecord<String, String> record : records) {
                    print("value " + record.value());
                }
            }
        }
    }

    private static String join(Collection<TopicPartition> partitions) {
        return partitions.stream().map(partition -> String.valueOf(partition.partition()))
                .collect(Collectors.joining(","));
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Launches a member on this JVM's class path. */
    static ChildGroupMember start(String name, String bootstrapServers, String groupId, String topic,
            int sessionTimeoutMs, PartitionOwnership ownership, Set<String> consumed) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), ChildGroupMember.class.getName(),
                bootstrapServers, groupId, topic, String.valueOf(sessionTimeoutMs)));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("value ")) {
                        consumed.add(line.substring("value ".length()));
                    } else if (line.startsWith("assigned ")) {
                        ownership.assigned(name, partitions(line.substring("assigned ".length())));
                    } else if (line.startsWith("revoked ")) {
                        ownership.revoked(name, partitions(line.substring("revoked ".length())));
                    }
                }
            } catch (IOException e) {
                // the child was killed
            }
        }, "child-" + name);
        reader.setDaemon(true);
        reader.start();
        return new ChildGroupMember(name, process, reader);
    }

    private static List<Integer> partitions(String list) {
        return list.isEmpty() ? List.of() : Arrays.stream(list.split(",")).map(Integer::valueOf).toList();
    }

    String name() {
        return name;
    }

    /** Kills the child without letting it leave the group; afterwards it owns nothing. */
    void kill(PartitionOwnership ownership) throws InterruptedException {
        process.destroyForcibly().waitFor();
        reader.join(10_000);
        ownership.gone(name);
    }
}
