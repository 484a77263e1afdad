package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.fjord.metadata.controller.FeatureControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka client features Fjord does not have yet fail fast, with an error that says so, instead of retrying until a
 * timeout (see docs/kafka-compatibility.md). The bounds are liveness bounds well below the clients' own timeouts.
 */
class MissingFeaturesIT {
    private static final Duration FAIL_FAST = Duration.ofSeconds(30);

    @TempDir
    Path data;

    @Test
    void aShareConsumerFailsFastSayingShareGroupsAreNotSupported() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of())) {
            Properties properties = new Properties();
            properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, "share-1");
            try (KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(properties,
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("orders"));
                Throwable thrown = await().atMost(FAIL_FAST).until(() -> pollError(consumer), Objects::nonNull);
                assertThat(thrown).isInstanceOf(UnsupportedVersionException.class)
                        .hasMessageContaining("share group");
            }
        }
    }

    @Test
    void aSaslClientFailsAtOnceAsOnAKafkaListenerWithoutSasl() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of())) {
            Properties properties = new Properties();
            properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
            properties.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
            properties.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            properties.put(SaslConfigs.SASL_JAAS_CONFIG,
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";");
            try (Admin admin = Admin.create(properties)) {
                long startNanos = System.nanoTime();
                Throwable thrown = catchThrowable(() -> admin.listTopics().names()
                        .get(FAIL_FAST.toSeconds(), TimeUnit.SECONDS));
                assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(FAIL_FAST);
                assertThat(thrown).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(IllegalSaslStateException.class)
                        .hasMessageContaining("enabled mechanisms are []");
            }
        }
    }

    /** One short poll: the error it raised, or null. */
    private static Throwable pollError(KafkaShareConsumer<String, String> consumer) {
        return catchThrowable(() -> consumer.poll(Duration.ofMillis(200)));
    }

    @Test
    void adminSeesTheFeatureLevelsInForceAndAclCallsWithoutAnAuthorizerFailAtOnce() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = node.admin()) {
            FeatureMetadata features = admin.describeFeatures().featureMetadata().get(20, TimeUnit.SECONDS);
            // A new cluster finalizes KIP-966's eligible leader replicas, as Kafka 4.1+ does.
            assertThat(features.finalizedFeatures()).containsKeys("group.version",
                    "eligible.leader.replicas.version");
            FinalizedVersionRange groupVersion = features.finalizedFeatures().get("group.version");
            assertThat(groupVersion.maxVersionLevel()).isEqualTo((short) 1);
            assertThat(features.finalizedFeatures().get("eligible.leader.replicas.version").maxVersionLevel())
                    .isEqualTo((short) 1);
            assertThat(features.finalizedFeaturesEpoch()).hasValueSatisfying(epoch -> assertThat(epoch).isNotNegative());
            // transaction.version is finalized in the metadata log, levels 0-2; a new cluster starts at 2, Kafka
            // 4.4's default, so that 4.4 clients use transaction protocol v2.
            assertThat(features.supportedFeatures().get("transaction.version").maxVersion()).isEqualTo((short) 2);
            assertThat(features.finalizedFeatures().get("transaction.version").maxVersionLevel())
                    .isEqualTo(FeatureControl.TRANSACTION_VERSION_NEW_CLUSTER_LEVEL).isEqualTo((short) 2);

            // Without authorizer.class.name the ACL APIs answer SECURITY_DISABLED at once, as Kafka's do.
            Throwable acls = catchThrowable(() -> admin.describeAcls(AclBindingFilter.ANY).values()
                    .get(FAIL_FAST.toSeconds(), TimeUnit.SECONDS));
            assertThat(acls).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SecurityDisabledException.class);
        }
    }
}
