package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fjord.server.FjordCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fjord format --add-scram}, as {@code kafka-storage format --add-scram}: the new cluster starts with the SCRAM
 * user, who logs in on a SASL_PLAINTEXT listener at once, and Admin describes the credential.
 */
class ScramBootstrapIT {
    @TempDir
    Path directory;

    @Test
    void aFormattedScramUserLogsInOnTheNewCluster() throws Exception {
        Path data = directory.resolve("data");
        Map<String, String> settings = Map.of("node.id", "1", "log.dirs", data.toString(),
                "listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "SCRAM-SHA-512");
        StringBuilder properties = new StringBuilder();
        settings.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        Path config = Files.writeString(directory.resolve("server.properties"), properties);
        assertThat(FjordCli.run("format", "--cluster-id", "MkU3OEVBNTcwNTJENDM2Qk", "--config", config.toString(),
                "--add-scram", "SCRAM-SHA-512=[name=admin,password=admin-secret,iterations=8192]")).isZero();

        try (FjordTestNode node = FjordTestNode.start(data, settings)) {
            try (Admin admin = node.admin()) {
                assertThat(admin.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS).get("admin")
                        .credentialInfos()).containsExactly(new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512,
                        8192));
            }
            int port = node.node().boundAddress("SASL_PLAINTEXT").getPort();
            try (Admin scram = Admin.create(scram(port, "admin-secret"))) {
                assertThat(scram.describeCluster().clusterId().get(60, TimeUnit.SECONDS))
                        .isEqualTo("MkU3OEVBNTcwNTJENDM2Qk");
            }
            try (Admin wrong = Admin.create(scram(port, "guess"))) {
                assertThat(catchThrowable(() -> wrong.describeCluster().clusterId().get(60, TimeUnit.SECONDS)))
                        .hasCauseInstanceOf(SaslAuthenticationException.class);
            }
        }
    }

    private static Properties scram(int port, String password) {
        Properties properties = new Properties();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        properties.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
        properties.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule "
                + "required username=\"admin\" password=\"" + password + "\";");
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return properties;
    }
}
