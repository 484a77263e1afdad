package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-890 on one node's produce path, with raw Produce requests built by kafka-clients 4.4.0: a transactional batch is
 * verified with the transaction coordinator before it is appended. No {@code __transaction_state} exists (the
 * coordinator is not served yet), so verification answers Kafka's retriable NOT_ENOUGH_REPLICAS; transactional
 * batches need a transactional id; {@code transaction.partition.verification.enable=false}, set at run time, lets the
 * batch in; and {@code transaction.version} (2 on a new cluster) changes through the controller are what clients
 * then read.
 */
class ProduceVerificationIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String TOPIC = "payments";

    @TempDir
    Path data;

    private static long initProducerId(RawClient client) throws Exception {
        InitProducerIdResponse response = client.send(new InitProducerIdRequest.Builder(
                new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                        .setProducerId(-1).setProducerEpoch((short) -1)).build((short) 4), ApiKeys.INIT_PRODUCER_ID);
        return response.error() == Errors.NONE ? response.data().producerId() : -1;
    }

    /** One transactional batch of {@code producerId} at epoch 0 and sequence {@code sequence}, acks=all. */
    private static ProduceResponseData.PartitionProduceResponse produce(RawClient client, String transactionalId,
                                                                        long producerId, int sequence)
            throws Exception {
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0,
                sequence, new SimpleRecord(("v" + sequence).getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch))));
        request.setTopicData(topics);
        short version = 11;
        ProduceResponse response = client.send(new ProduceRequest.Builder(version, version, request).build(version),
                ApiKeys.PRODUCE);
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }

    private static short transactionVersion(Admin admin) throws Exception {
        return admin.describeFeatures().featureMetadata().get(60, TimeUnit.SECONDS).finalizedFeatures()
                .get("transaction.version").maxVersionLevel();
    }

    @Test
    void transactionalBatchesAreVerifiedBeforeTheyAreAppended() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1",
                    node.node().boundAddress("PLAINTEXT").getPort());
            RawClient client = new RawClient(address);
            long producerId = await().atMost(BOUND).until(() -> initProducerId(client), id -> id >= 0);

            ProduceResponseData.PartitionProduceResponse unverified = produce(client, "payments-1", producerId, 0);
            assertThat(Errors.forCode(unverified.errorCode())).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
            assertThat(unverified.errorMessage()).isEqualTo("Unable to verify the partition has been added to the"
                    + " transaction. Underlying error: COORDINATOR_NOT_AVAILABLE");

            ProduceResponseData.PartitionProduceResponse anonymous = produce(client, null, producerId, 0);
            assertThat(Errors.forCode(anonymous.errorCode())).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);

            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, ""), List.of(
                    new AlterConfigOp(new ConfigEntry("transaction.partition.verification.enable", "false"),
                            AlterConfigOp.OpType.SET)))).all().get(60, TimeUnit.SECONDS);
            await().atMost(BOUND).untilAsserted(() -> assertThat(Errors.forCode(
                    produce(client, "payments-1", producerId, 0).errorCode())).isEqualTo(Errors.NONE));

            // A new cluster is at transaction.version 2; down to 1 and back up, as clients then read it.
            assertThat(transactionVersion(admin)).isEqualTo((short) 2);
            admin.updateFeatures(Map.of("transaction.version", new FeatureUpdate((short) 1,
                    FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)), new UpdateFeaturesOptions()).all()
                    .get(60, TimeUnit.SECONDS);
            await().atMost(BOUND).untilAsserted(() -> assertThat(transactionVersion(admin)).isEqualTo((short) 1));
            admin.updateFeatures(Map.of("transaction.version", new FeatureUpdate((short) 2,
                    FeatureUpdate.UpgradeType.UPGRADE)), new UpdateFeaturesOptions()).all().get(60, TimeUnit.SECONDS);
            await().atMost(BOUND).untilAsserted(() -> assertThat(transactionVersion(admin)).isEqualTo((short) 2));
        }
    }
}
