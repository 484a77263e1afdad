package io.fjord.integration;

import static io.fjord.integration.TransactionalClients.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once consume-transform-produce through kill -9: three Fjord processes (RF 3, min ISR 2 for the data and
 * both coordinators' topics); a transactional copier reads an input partition and writes each record to one of three
 * output partitions, the group's offset going with each transaction ({@code sendOffsetsToTransaction}). In the
 * middle of a transaction the transaction coordinator's node is killed with SIGKILL; the copier carries on (a new
 * producer instance when the old one's transaction failed, resuming from the group's stable offset), the killed node
 * restarts, and at the end every input record is in the output exactly once under read_committed and the group's
 * offset is at the input's end: every transaction ended committed or aborted across all its partitions and offsets.
 */
class TransactionsKillNineIT {
    private static final int RECORDS = 60;
    private static final int PER_TRANSACTION = 5;
    private static final TopicPartition INPUT = new TopicPartition("kill-in", 0);
    private static final String GROUP = "kill-copier";
    private static final int MAX_FAILED_TRANSACTIONS = 5;

    @TempDir
    Path data;

    @Test
    void everyInputRecordIsCopiedExactlyOnceThroughAKillOfTheCoordinatorsNode() throws Exception {
        try (FjordProcessCluster cluster = FjordProcessCluster.start(data, 3, TransactionalClients.clusterConfig())) {
            String bootstrap = cluster.runningBootstrapServers();
            try (Admin admin = cluster.admin(bootstrap)) {
                TransactionalClients.createTopic(admin, "kill-in", 1, 3);
                TransactionalClients.createTopic(admin, "kill-out", 3, 3);
            }
            try (KafkaProducer<String, String> plain = new KafkaProducer<>(
                    ClientConfigs.acksAllProducer(bootstrap))) {
                for (int index = 0; index < RECORDS; index++) {
                    plain.send(new ProducerRecord<>("kill-in", 0, null, "in-" + index));
                }
                plain.flush();
            }

            Properties consumerConfig = ClientConfigs.earliestConsumer(bootstrap);
            consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
            consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(PER_TRANSACTION));
            int killed = -1;
            int failedTransactions = 0;
            KafkaProducer<String, String> producer = TransactionalClients.producer(bootstrap, "kill-copier-1");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
                producer.initTransactions();
                consumer.assign(List.of(INPUT));
                long position = resume(consumer);
                int transactions = 0;
                long deadline = System.nanoTime() + BOUND.multipliedBy(3).toNanos();
                while (position < RECORDS) {
                    assertThat(System.nanoTime()).as("copied within the bound, at %d", position).isLessThan(deadline);
                    List<ConsumerRecord<String, String>> records = new ArrayList<>();
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                    if (records.isEmpty()) {
                        continue;
                    }
                    try {
                        producer.beginTransaction();
                        for (ConsumerRecord<String, String> record : records) {
                            producer.send(new ProducerRecord<>("kill-out", (int) (record.offset() % 3), null,
                                    record.value()));
                        }
                        long next = records.get(records.size() - 1).offset() + 1;
                        producer.sendOffsetsToTransaction(Map.of(INPUT, new OffsetAndMetadata(next)),
                                consumer.groupMetadata()); // assigned, not subscribed: generation -1
                        if (++transactions == 4 && killed < 0) {
                            producer.flush();
                            killed = coordinatorOf(cluster, bootstrap);
                            cluster.kill(killed);
                        }
                        producer.commitTransaction();
                        position = next;
                    } catch (KafkaException e) {
                        // Only the kill may fail a transaction, and only a few.
                        if (killed < 0 || ++failedTransactions > MAX_FAILED_TRANSACTIONS) {
                            throw e;
                        }
                        // The outcome is unknown to this instance: a new one ends the old transaction either way,
                        // and the group's stable offset says where to carry on.
                        producer.close(Duration.ZERO);
                        producer = TransactionalClients.producer(bootstrap, "kill-copier-1");
                        producer.initTransactions();
                        position = resume(consumer);
                    }
                    if (killed > 0 && transactions == 8 && !cluster.running().contains(killed)) {
                        cluster.startNode(killed);
                    }
                }
            } finally {
                producer.close(Duration.ZERO);
            }
            assertThat(killed).as("the coordinator's node was killed").isPositive();
            if (!cluster.running().contains(killed)) {
                cluster.startNode(killed);
            }
            cluster.awaitReady(killed);

            List<String> expected = new ArrayList<>();
            for (int index = 0; index < RECORDS; index++) {
                expected.add("in-" + index);
            }
            int failed = failedTransactions;
            // The last commit's markers may still be on their way (commitTransaction returns on the decision).
            await().atMost(BOUND).untilAsserted(() -> assertThat(TransactionalClients.valuesToEnd(
                    cluster.runningBootstrapServers(), "kill-out", IsolationLevel.READ_COMMITTED))
                    .as("exactly once (%d transactions failed and were retried)", failed)
                    .containsExactlyInAnyOrderElementsOf(expected));
            try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                await().atMost(BOUND).untilAsserted(() -> assertThat(admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS))
                        .containsEntry(INPUT, new OffsetAndMetadata(RECORDS)));
            }
        }
    }

    /** Seeks the consumer to the group's stable committed offset (the consumer asks with require_stable). */
    private static long resume(KafkaConsumer<String, String> consumer) {
        OffsetAndMetadata committed = consumer.committed(java.util.Set.of(INPUT), BOUND).get(INPUT);
        long position = committed == null ? 0 : committed.offset();
        consumer.seek(INPUT, position);
        return position;
    }

    /** The node coordinating the copier's transactions, as the Admin client's DescribeTransactions says. */
    private static int coordinatorOf(FjordProcessCluster cluster, String bootstrap) {
        try (Admin admin = cluster.admin(bootstrap)) {
            return await().atMost(BOUND).ignoreExceptions().until(() -> admin.describeTransactions(
                    List.of("kill-copier-1")).description("kill-copier-1").get(30, TimeUnit.SECONDS)
                    .coordinatorId(), id -> id > 0);
        }
    }
}
