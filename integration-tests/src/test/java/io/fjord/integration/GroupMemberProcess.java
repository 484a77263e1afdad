package io.fjord.integration;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A group member in a child JVM, for tests that kill a member without letting it close: subscribes, polls, commits
 * after every poll and reports on standard output, one line each: {@code ASSIGNED t-0,t-1}, {@code REVOKED ...},
 * {@code LOST ...} and {@code RECORD value}. Arguments: bootstrap servers, group id, topic, group protocol. Runs until
 * killed. Not thread-safe (one thread).
 */
public final class GroupMemberProcess {
    private GroupMemberProcess() {
    }

    public static void main(String[] arguments) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, arguments[0]);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, arguments[1]);
        properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, arguments[3]);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
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
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> record : records) {
                    out.println("RECORD " + record.value());
                }
                out.flush();
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        }
    }

    private static void report(PrintStream out, String event, Collection<TopicPartition> partitions) {
        out.println(event + " " + partitions.stream().map(TopicPartition::toString).collect(Collectors.joining(",")));
        out.flush();
    }
}
