package io.fjord.integration;

import static io.fjord.integration.TransactionalClients.BOUND;
import static io.fjord.integration.TransactionalClients.createTopic;
import static io.fjord.integration.TransactionalClients.endOffset;
import static io.fjord.integration.TransactionalClients.producer;
import static io.fjord.integration.TransactionalClients.readToEnd;
import static io.fjord.integration.TransactionalClients.valuesToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ConcurrentTransactionsException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions end to end with unmodified kafka-clients 4.4.0 producers, consumers and Admin, as Kafka's own
 * transaction tests exercise them: commit and abort seen exactly as on Kafka by both isolation levels (offsets, the
 * last stable offset, no control record delivered), interleaved transactions of several producers on shared
 * partitions, a zombie fenced by a new instance, a stalled transaction aborted by the coordinator after its timeout,
 * consume-transform-produce with {@code sendOffsetsToTransaction} (offsets move only with a commit; {@code
 * require_stable}), a node restart in the middle of a transaction; and on three nodes (RF 3, min ISR 2) the
 * coordinator's node stopped in the middle of transactions, with every acknowledged commit read exactly once.
 */
class TransactionsEndToEndIT {
    @TempDir
    Path data;

    @Test
    void commitIsVisibleAndAbortIsNotAtExactOffsetsWithTheLastStableOffsetHeldByTheOpenTransaction()
            throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, TransactionalClients.singleNodeConfig());
             Admin admin = node.admin();
             KafkaProducer<String, String> producer = producer(node.bootstrapServers(), "ledger")) {
            createTopic(admin, "ledger", 1, 1);
            TopicPartition partition = new TopicPartition("ledger", 0);
            producer.initTransactions();

            producer.beginTransaction();
            for (int index = 0; index < 5; index++) {
                producer.send(new ProducerRecord<>("ledger", 0, "k", "committed-" + index));
            }
            producer.commitTransaction(); // offsets 0-4, the COMMIT marker at 5

            producer.beginTransaction();
            for (int index = 0; index < 3; index++) {
                producer.send(new ProducerRecord<>("ledger", 0, "k", "aborted-" + index));
            }
            producer.flush(); // offsets 6-8, still open
            assertThat(endOffset(admin, partition, IsolationLevel.READ_COMMITTED))
                    .as("the last stable offset stops at the open transaction's first offset").isEqualTo(6);
            assertThat(endOffset(admin, partition, IsolationLevel.READ_UNCOMMITTED)).isEqualTo(9);
            assertThat(valuesToEnd(node.bootstrapServers(), "ledger", IsolationLevel.READ_COMMITTED))
                    .containsExactly("committed-0", "committed-1", "committed-2", "committed-3", "committed-4");
            producer.abortTransaction(); // the ABORT marker at 9

            producer.beginTransaction();
            producer.send(new ProducerRecord<>("ledger", 0, "k", "committed-5"));
            producer.send(new ProducerRecord<>("ledger", 0, "k", "committed-6"));
            producer.commitTransaction(); // offsets 10-11, marker at 12

            // As on Kafka, commitTransaction (transaction protocol 1) returns once the coordinator decided: the
            // markers follow.
            await().atMost(BOUND).untilAsserted(() -> {
                assertThat(endOffset(admin, partition, IsolationLevel.READ_COMMITTED)).isEqualTo(13);
                assertThat(endOffset(admin, partition, IsolationLevel.READ_UNCOMMITTED)).isEqualTo(13);
            });
            List<ConsumerRecord<String, String>> committed =
                    readToEnd(node.bootstrapServers(), "ledger", IsolationLevel.READ_COMMITTED);
            assertThat(committed).extracting(ConsumerRecord::value).containsExactly("committed-0", "committed-1",
                    "committed-2", "committed-3", "committed-4", "committed-5", "committed-6");
            assertThat(committed).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 10L, 11L);
            List<ConsumerRecord<String, String>> everything =
                    readToEnd(node.bootstrapServers(), "ledger", IsolationLevel.READ_UNCOMMITTED);
            assertThat(everything).as("read_uncommitted sees aborted data, never a control record")
                    .extracting(ConsumerRecord::offset)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 6L, 7L, 8L, 10L, 11L);
            assertThat(everything.get(5).value()).isEqualTo("aborted-0");
        }
    }

    @Test
    void interleavedTransactionsOfSeveralProducersOnSharedPartitionsEndIndependently() throws Exception {
        int producers = 3;
        int rounds = 8;
        try (FjordTestNode node = FjordTestNode.start(data, TransactionalClients.singleNodeConfig());
             Admin admin = node.admin()) {
            createTopic(admin, "shared", 3, 1);
            List<KafkaProducer<String, String>> open = new ArrayList<>();
            try {
                for (int index = 0; index < producers; index++) {
                    open.add(producer(node.bootstrapServers(), "writer-" + index));
                    open.get(index).initTransactions();
                }
                List<String> expected = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    // Every producer's transaction is open on every partition before any of them ends.
                    for (int index = 0; index < producers; index++) {
                        open.get(index).beginTransaction();
                        for (int partition = 0; partition < 3; partition++) {
                            open.get(index).send(new ProducerRecord<>("shared", partition, "w" + index,
                                    "w" + index + "-r" + round + "-p" + partition));
                        }
                        open.get(index).flush();
                    }
                    for (int offset = 0; offset < producers; offset++) {
                        int index = (round + offset) % producers; // a different end order every round
                        if ((round + index) % 3 == 0) {
                            open.get(index).abortTransaction();
                        } else {
                            open.get(index).commitTransaction();
                            for (int partition = 0; partition < 3; partition++) {
                                expected.add("w" + index + "-r" + round + "-p" + partition);
                            }
                        }
                    }
                }
                await().atMost(BOUND).untilAsserted(() -> assertThat(valuesToEnd(node.bootstrapServers(), "shared",
                        IsolationLevel.READ_COMMITTED)).containsExactlyInAnyOrderElementsOf(expected));
                assertThat(valuesToEnd(node.bootstrapServers(), "shared", IsolationLevel.READ_UNCOMMITTED))
                        .hasSize(producers * rounds * 3);
            } finally {
                open.forEach(KafkaProducer::close);
            }
        }
    }

    @Test
    void aNewInstanceFencesTheZombieAndAbortsItsOpenTransaction() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, TransactionalClients.singleNodeConfig());
             Admin admin = node.admin()) {
            createTopic(admin, "payments", 2, 1);
            try (KafkaProducer<String, String> zombie = producer(node.bootstrapServers(), "payer");
                 KafkaProducer<String, String> successor = producer(node.bootstrapServers(), "payer")) {
                zombie.initTransactions();
                zombie.beginTransaction();
                zombie.send(new ProducerRecord<>("payments", 0, "k", "zombie-1")).get(60, TimeUnit.SECONDS);
                zombie.send(new ProducerRecord<>("payments", 1, "k", "zombie-2")).get(60, TimeUnit.SECONDS);

                successor.initTransactions(); // bumps the epoch and aborts the zombie's open transaction
                assertThatThrownBy(zombie::commitTransaction).isInstanceOf(ProducerFencedException.class);

                successor.beginTransaction();
                successor.send(new ProducerRecord<>("payments", 0, "k", "successor-1"));
                successor.commitTransaction();
            }
            await().atMost(BOUND).untilAsserted(() -> assertThat(valuesToEnd(node.bootstrapServers(), "payments",
                    IsolationLevel.READ_COMMITTED)).containsExactly("successor-1"));
            assertThat(valuesToEnd(node.bootstrapServers(), "payments", IsolationLevel.READ_UNCOMMITTED))
                    .containsExactlyInAnyOrder("zombie-1", "zombie-2", "successor-1");
        }
    }

    @Test
    void theCoordinatorAbortsATransactionPastItsTimeoutAndTheProducerIsToldSo() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, TransactionalClients.singleNodeConfig());
             Admin admin = node.admin()) {
            createTopic(admin, "stalled", 1, 1);
            TopicPartition partition = new TopicPartition("stalled", 0);
            Properties config = TransactionalClients.producerConfig(node.bootstrapServers(), "staller");
            config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "1500");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                producer.initTransactions();
                producer.beginTransaction();
                RecordMetadata first = producer.send(new ProducerRecord<>("stalled", 0, "k", "expired-1"))
                        .get(60, TimeUnit.SECONDS);
                assertThat(first.offset()).isZero();

                // The coordinator's sweep aborts it: the abort marker releases the last stable offset.
                await().atMost(BOUND).until(() -> endOffset(admin, partition, IsolationLevel.READ_COMMITTED) == 2);
                await().atMost(BOUND).until(() -> transaction(admin, "staller").state()
                        == TransactionState.COMPLETE_ABORT);

                // As on Kafka (TransactionsTest.testFencingOnTransactionExpiration): the next send fails.
                ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>("stalled", 0, "k", "expired-2"))
                                .get(60, TimeUnit.SECONDS));
                assertThat(failure.getCause()).isInstanceOfAny(InvalidProducerEpochException.class,
                        ConcurrentTransactionsException.class);
            }
            assertThat(valuesToEnd(node.bootstrapServers(), "stalled", IsolationLevel.READ_COMMITTED)).isEmpty();
            assertThat(valuesToEnd(node.bootstrapServers(), "stalled", IsolationLevel.READ_UNCOMMITTED))
                    .containsExactly("expired-1");
        }
    }

    @Test
    void consumeTransformProduceMovesTheGroupsOffsetsOnlyWithACommittedTransaction() throws Exception {
        TopicPartition input = new TopicPartition("orders-in", 0);
        try (FjordTestNode node = FjordTestNode.start(data, TransactionalClients.singleNodeConfig());
             Admin admin = node.admin()) {
            createTopic(admin, "orders-in", 1, 1);
            createTopic(admin, "orders-out", 1, 1);
            ConsumerGroupIT.produce(node, "orders-in", "order", 15);

            Properties consumerConfig = ClientConfigs.earliestConsumer(node.bootstrapServers());
            consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "transformers");
            consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig);
                 KafkaProducer<String, String> producer = producer(node.bootstrapServers(), "transformer")) {
                producer.initTransactions();
                consumer.subscribe(List.of("orders-in"));

                // First batch: committed.
                long next = transform(consumer, producer, 5);
                assertThat(next).isEqualTo(5);
                assertThat(committedOffsets(admin, input, false)).as("pending offsets are not yet committed")
                        .containsEntry(input, null);
                assertThat(committedOffsets(admin, input, true))
                        .as("require_stable: the partition is UNSTABLE_OFFSET_COMMIT while the offset is pending")
                        .doesNotContainKey(input);
                producer.commitTransaction();
                await().atMost(BOUND).untilAsserted(() -> assertThat(committedOffsets(admin, input, true))
                        .containsEntry(input, new OffsetAndMetadata(5)));

                // Second batch: aborted, the group's offset stays.
                assertThat(transform(consumer, producer, 5)).isEqualTo(10);
                producer.abortTransaction();
                await().atMost(BOUND).untilAsserted(() -> assertThat(committedOffsets(admin, input, true))
                        .containsEntry(input, new OffsetAndMetadata(5)));
                assertThat(committedOffsets(admin, input, false)).containsEntry(input, new OffsetAndMetadata(5));
            }
            assertThat(valuesToEnd(node.bootstrapServers(), "orders-out", IsolationLevel.READ_COMMITTED))
                    .containsExactly("ORDER-0", "ORDER-1", "ORDER-2", "ORDER-3", "ORDER-4");
            assertThat(valuesToEnd(node.bootstrapServers(), "orders-out", IsolationLevel.READ_UNCOMMITTED))
                    .hasSize(10);
        }
    }

    @Test
    void aRestartInTheMiddleOfATransactionKeepsTheCoordinatorsAndThePartitionsState() throws Exception {
        int port = FjordTestCluster.freePorts(1).get(0);
        Map<String, String> config = new HashMap<>(TransactionalClients.singleNodeConfig());
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        String bootstrap = "127.0.0.1:" + port;
        Properties producerConfig = TransactionalClients.producerConfig(bootstrap, "survivor");
        TransactionDescription before;
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig);
        try {
            try (FjordTestNode node = FjordTestNode.start(data, config); Admin admin = node.admin()) {
                createTopic(admin, "durable", 2, 1);
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("durable", 0, "k", "before-restart"));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("durable", 1, "k", "open-1")).get(60, TimeUnit.SECONDS);
                before = transaction(admin, "survivor");
                assertThat(before.state()).isEqualTo(TransactionState.ONGOING);
            }
            try (FjordTestNode node = FjordTestNode.start(data, config); Admin admin = node.admin()) {
                TransactionDescription after = transaction(admin, "survivor");
                assertThat(after.state()).as("the open transaction survived the restart")
                        .isEqualTo(TransactionState.ONGOING);
                assertThat(after.producerId()).isEqualTo(before.producerId());
                assertThat(after.producerEpoch()).isEqualTo(before.producerEpoch());
                assertThat(after.topicPartitions()).containsExactly(new TopicPartition("durable", 1));
                assertThat(valuesToEnd(bootstrap, "durable", IsolationLevel.READ_COMMITTED))
                        .containsExactly("before-restart");

                // The same producer finishes its transaction against the restarted node.
                producer.send(new ProducerRecord<>("durable", 0, "k", "open-2"));
                producer.commitTransaction();
                await().atMost(BOUND).untilAsserted(() -> assertThat(valuesToEnd(bootstrap, "durable",
                        IsolationLevel.READ_COMMITTED)).containsExactlyInAnyOrder("before-restart", "open-1", "open-2"));
                await().atMost(BOUND).until(() -> transaction(admin, "survivor").state()
                        == TransactionState.COMPLETE_COMMIT);
            }
            try (FjordTestNode node = FjordTestNode.start(data, config); Admin admin = node.admin()) {
                assertThat(valuesToEnd(bootstrap, "durable", IsolationLevel.READ_COMMITTED))
                        .as("after a second restart, the committed transaction is still whole")
                        .containsExactlyInAnyOrder("before-restart", "open-1", "open-2");
                assertThat(transaction(admin, "survivor").producerId()).isEqualTo(before.producerId());
            }
        } finally {
            producer.close(Duration.ZERO);
        }
    }

    @Test
    void onThreeNodesTheCoordinatorsNodeStopsMidTransactionAndEveryCommitIsReadExactlyOnce() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, TransactionalClients.clusterConfig())) {
            cluster.awaitOneController(BOUND);
            String bootstrap = String.join(",", cluster.bootstrapServers(1), cluster.bootstrapServers(2),
                    cluster.bootstrapServers(3));
            try (Admin admin = cluster.admin(1)) {
                createTopic(admin, "transfers", 3, 3);
            }
            ExactlyOnceLedger ledger = new ExactlyOnceLedger();
            KafkaProducer<String, String> producer = producer(bootstrap, "mover");
            try {
                producer.initTransactions();
                for (int transaction = 0; transaction < 4; transaction++) {
                    producer = ledger.run(producer, bootstrap, "mover", transaction, transaction % 3 == 2);
                }
                int coordinator;
                try (Admin admin = cluster.admin(1)) {
                    coordinator = transaction(admin, "mover").coordinatorId();
                }
                // Open a transaction on every partition, then stop the coordinator's node under it.
                producer.beginTransaction();
                for (int partition = 0; partition < 3; partition++) {
                    producer.send(new ProducerRecord<>("transfers", partition, "k", "t-mid-p" + partition))
                            .get(60, TimeUnit.SECONDS);
                }
                ledger.expectFailures();
                cluster.stop(coordinator);
                producer = ledger.end(producer, bootstrap, "mover", "t-mid", true);
                for (int transaction = 4; transaction < 8; transaction++) {
                    producer = ledger.run(producer, bootstrap, "mover", transaction, transaction % 3 == 2);
                }
            } finally {
                producer.close(Duration.ZERO);
            }
            int survivor = cluster.running().get(0);
            await().atMost(BOUND).untilAsserted(() -> ledger.assertExactlyOnce(valuesToEnd(
                    cluster.bootstrapServers(survivor), "transfers", IsolationLevel.READ_COMMITTED)));
            try (Admin admin = cluster.admin(survivor)) {
                assertThat(transaction(admin, "mover").coordinatorId()).isNotEqualTo(-1);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The transaction's description by the Admin client, retried while the coordinator loads. */
    private static TransactionDescription transaction(Admin admin, String transactionalId) {
        return await().atMost(BOUND).ignoreExceptions().until(() -> admin.describeTransactions(List.of(transactionalId))
                .description(transactionalId).get(30, TimeUnit.SECONDS), description -> true);
    }

    /**
     * Polls {@code count} records of the group's input, writes them upper-cased in a transaction, and adds the next
     * offset to it; returns that offset. The transaction is left open.
     */
    private static long transform(KafkaConsumer<String, String> consumer, KafkaProducer<String, String> producer,
                                  int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (records.size() < count) {
            assertThat(System.nanoTime()).as("polled %d records within the bound", count).isLessThan(deadline);
            ConsumerRecords<String, String> polled = consumer.poll(Duration.ofMillis(200));
            polled.forEach(records::add);
        }
        assertThat(records).hasSize(count);
        producer.beginTransaction();
        for (ConsumerRecord<String, String> record : records) {
            producer.send(new ProducerRecord<>("orders-out", 0, record.key(), record.value().toUpperCase()));
        }
        long next = records.get(records.size() - 1).offset() + 1;
        producer.sendOffsetsToTransaction(Map.of(new TopicPartition("orders-in", 0), new OffsetAndMetadata(next)),
                consumer.groupMetadata());
        producer.flush();
        return next;
    }

    /** The group's committed offset of the partition by the Admin client, with or without {@code require_stable}. */
    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(Admin admin, TopicPartition partition,
                                                                           boolean requireStable) throws Exception {
        return admin.listConsumerGroupOffsets(Map.of("transformers",
                        new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(partition))),
                new ListConsumerGroupOffsetsOptions().requireStable(requireStable))
                .partitionsToOffsetAndMetadata("transformers").get(60, TimeUnit.SECONDS);
    }

    /**
     * What a producer was told about each transaction of three records (one per partition): committed, aborted, or
     * unknown (the commit call failed, so the transaction may have ended either way). Not thread-safe.
     */
    private static final class ExactlyOnceLedger {
        private final List<String> committed = new ArrayList<>();
        private final List<String> aborted = new ArrayList<>();
        private final List<String> unknown = new ArrayList<>();
        /** Set when the coordinator's node stops: before it, no transaction may fail. */
        private boolean failuresExpected;

        void expectFailures() {
            failuresExpected = true;
        }

        KafkaProducer<String, String> run(KafkaProducer<String, String> producer, String bootstrap,
                                          String transactionalId, int transaction, boolean abort) {
            String name = "t" + transaction;
            try {
                producer.beginTransaction();
                for (int partition = 0; partition < 3; partition++) {
                    producer.send(new ProducerRecord<>("transfers", partition, "k", name + "-p" + partition));
                }
            } catch (KafkaException e) {
                return failed(e, producer, bootstrap, transactionalId, name);
            }
            return end(producer, bootstrap, transactionalId, name, !abort);
        }

        KafkaProducer<String, String> end(KafkaProducer<String, String> producer, String bootstrap,
                                          String transactionalId, String name, boolean commit) {
            try {
                if (commit) {
                    producer.commitTransaction();
                    committed.add(name);
                } else {
                    producer.abortTransaction();
                    aborted.add(name);
                }
                return producer;
            } catch (KafkaException e) {
                return failed(e, producer, bootstrap, transactionalId, name);
            }
        }

        private KafkaProducer<String, String> failed(KafkaException failure, KafkaProducer<String, String> producer,
                                                     String bootstrap, String transactionalId, String name) {
            unknown.add(name);
            if (!failuresExpected || unknown.size() > 3) {
                throw failure;
            }
            return replace(producer, bootstrap, transactionalId);
        }

        /** A new instance of the producer: its initTransactions ends whatever the old one left open. */
        private static KafkaProducer<String, String> replace(KafkaProducer<String, String> producer, String bootstrap,
                                                             String transactionalId) {
            producer.close(Duration.ZERO);
            KafkaProducer<String, String> next = producer(bootstrap, transactionalId);
            next.initTransactions();
            return next;
        }

        void assertExactlyOnce(List<String> values) {
            assertThat(values).as("no record twice").doesNotHaveDuplicates();
            Map<String, Integer> partsSeen = new HashMap<>();
            for (String value : values) {
                partsSeen.merge(value.substring(0, value.lastIndexOf("-p")), 1, Integer::sum);
            }
            for (String name : committed) {
                assertThat(partsSeen.get(name)).as("acknowledged commit %s, every partition", name).isEqualTo(3);
            }
            for (String name : aborted) {
                assertThat(partsSeen).as("aborted %s is invisible", name).doesNotContainKey(name);
            }
            for (String name : unknown) {
                assertThat(partsSeen.getOrDefault(name, 0)).as("%s is all or nothing", name).isIn(0, 3);
            }
            assertThat(committed).as("the commit across the coordinator's stop (or its outcome) is known")
                    .hasSizeGreaterThanOrEqualTo(5);
        }
    }
}
