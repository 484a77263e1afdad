package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throttling as Kafka 4.4 does it, seen by unmodified clients: {@code controller_mutation_rate} (KIP-599) refuses
 * CreateTopics past the quota with THROTTLING_QUOTA_EXCEEDED (Kafka's Admin client retries it unless told not to), and
 * a consumer fetch over {@code consumer_byte_rate} is answered empty with its throttle time.
 */
class QuotaThrottlingIT {
    /** Two windows of one second, as ClientQuotasIT: the rates settle quickly. */
    private static final Map<String, String> NODE_CONFIG = Map.of("quota.window.num", "2",
            "quota.window.size.seconds", "1");
    private static final String MUTATING_CLIENT = "mutating-admin";

    @TempDir
    Path data;

    private static ClientQuotaEntity clientId(String name) {
        Map<String, String> entries = new HashMap<>();
        entries.put(ClientQuotaEntity.CLIENT_ID, name);
        return new ClientQuotaEntity(entries);
    }

    private static void setQuota(Admin admin, ClientQuotaEntity entity, String key, double value) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity, List.of(
                new ClientQuotaAlteration.Op(key, value))))).all().get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeClientQuotas(ClientQuotaFilter.all())
                .entities().get(20, TimeUnit.SECONDS).containsKey(entity));
    }

    private static Admin admin(FjordTestNode node, String clientId) {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return Admin.create(properties);
    }

    @Test
    void topicCreationPastTheMutationRateIsRefusedThenSucceedsWithTheAdminsRetries() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, NODE_CONFIG); Admin observer = node.admin();
                Admin mutating = admin(node, MUTATING_CLIENT)) {
            // 0.1 partitions/s: a burst of one partition, so a second two-partition topic finds no credit left.
            setQuota(observer, clientId(MUTATING_CLIENT), "controller_mutation_rate", 0.1);
            CreateTopicsOptions noRetry = new CreateTopicsOptions().retryOnQuotaViolation(false);

            ThrottlingQuotaExceededException refusal = null;
            int created = 0;
            while (refusal == null && created < 5) {
                String name = "burst-" + created;
                try {
                    mutating.createTopics(List.of(new NewTopic(name, 2, (short) 1)), noRetry).all()
                            .get(60, TimeUnit.SECONDS);
                    created++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ThrottlingQuotaExceededException.class);
                    refusal = (ThrottlingQuotaExceededException) e.getCause();
                    assertThat(observer.listTopics().names().get(20, TimeUnit.SECONDS)).doesNotContain(name);
                }
            }
            assertThat(refusal).as("refused within %d creations", created).isNotNull();
            assertThat(refusal.throttleTimeMs()).isBetween(1, 10_000);

            // Kafka's Admin retries THROTTLING_QUOTA_EXCEEDED after the throttle time by default: it gets through.
            mutating.createTopics(List.of(new NewTopic("patient", 1, (short) 1))).all().get(90, TimeUnit.SECONDS);
            assertThat(observer.listTopics().names().get(20, TimeUnit.SECONDS)).contains("patient");
        }
    }

    @Test
    void aConsumerFetchOverItsByteRateIsAnsweredEmptyWithItsThrottleTime() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, NODE_CONFIG); Admin admin = node.admin()) {
            ConsumerGroupIT.createTopic(node, "metered", 1);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    ClientConfigs.acksAllProducer(node.bootstrapServers()))) {
                for (int record = 0; record < 40; record++) {
                    producer.send(new ProducerRecord<>("metered", "v".repeat(1_000))).get(30, TimeUnit.SECONDS);
                }
            }
            // RawClient's client id: each response may carry at most 5,000 bytes (the quota over one window).
            setQuota(admin, clientId("raw-client"), "consumer_byte_rate", 5_000);

            RawClient raw = new RawClient(node.node().boundAddress("PLAINTEXT"));
            long offset = 0;
            FetchResponse throttled = null;
            for (int attempt = 0; attempt < 20 && throttled == null; attempt++) {
                FetchResponse response = fetch(raw, offset);
                if (response.throttleTimeMs() > 0) {
                    throttled = response;
                } else {
                    var partition = response.data().responses().get(0).partitions().get(0);
                    assertThat(partition.records().sizeInBytes()).isPositive();
                    offset = lastOffset(partition) + 1;
                }
            }
            assertThat(throttled).as("a fetch over 5,000 bytes/s is throttled").isNotNull();
            // Kafka's answer: no partitions, no records, no error; the consumer asks again after the throttle.
            assertThat(throttled.data().responses()).isEmpty();
            assertThat(throttled.error().code()).isZero();
            assertThat(offset).isPositive();
        }
    }

    private static FetchResponse fetch(RawClient raw, long offset) throws Exception {
        short version = 12;
        FetchRequest request = FetchRequest.Builder.forConsumer(version, 0, 1, Map.of(
                new TopicPartition("metered", 0), new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, 0,
                        1 << 20, Optional.empty()))).build(version);
        return raw.send(request, ApiKeys.FETCH);
    }

    private static long lastOffset(org.apache.kafka.common.message.FetchResponseData.PartitionData partition) {
        long last = -1;
        for (var batch : ((org.apache.kafka.common.record.internal.Records) partition.records()).batches()) {
            last = Math.max(last, batch.lastOffset());
        }
        return last;
    }
}
