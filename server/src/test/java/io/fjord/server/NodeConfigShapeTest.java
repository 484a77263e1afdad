package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.config.ConfigException;
import io.fjord.broker.network.Endpoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a node accepts of Kafka's listener, security, role and quorum settings, and what it refuses. */
class NodeConfigShapeTest {
    private static NodeConfig config(String... keysAndValues) {
        return NodeConfigFixture.config(Map.of(), keysAndValues);
    }

    private static String refusal(String... keysAndValues) {
        return NodeConfigFixture.refusal(Map.of(), keysAndValues);
    }

    @Test
    void aSaslSslListenerIsServedOverTlsSoItNeedsAKeystore() {
        // SASL above TLS: without a keystore the listener cannot be served, and start-up names the key.
        assertThat(refusal("listeners", "SASL_SSL://127.0.0.1:9094", "sasl.enabled.mechanisms", "SCRAM-SHA-256"))
                .contains("ssl.keystore.location", "SASL_SSL");
        assertThat(refusal("listeners", "CLIENT://127.0.0.1:9094", "listener.security.protocol.map",
                "CLIENT:SASL_SSL", "sasl.enabled.mechanisms", "SCRAM-SHA-256")).contains("ssl.keystore.location");
    }

    @Test
    void anSslListenerWithoutAKeystoreIsRefusedNamingTheKey() {
        assertThat(refusal("listeners", "SSL://127.0.0.1:9094")).contains("ssl.keystore.location", "SSL");
        assertThat(refusal("listeners", "CLIENT://127.0.0.1:9094", "listener.security.protocol.map",
                "CLIENT:SSL", "listener.name.client.ssl.keystore.location", "/nonexistent/keystore.jks",
                "ssl.keystore.password", "secret")).contains("listener.name.client.ssl.keystore.location",
                "no such file").doesNotContain("secret");
    }

    @Test
    void saslListenersNeedMechanismsFjordServesAndTheirJaasEntries() {
        // Kafka's default sasl.enabled.mechanisms is GSSAPI, which Fjord does not serve.
        assertThat(refusal("listeners", "SASL_PLAINTEXT://127.0.0.1:9094")).contains("sasl.enabled.mechanisms",
                "GSSAPI");
        assertThat(refusal("listeners", "SASL_PLAINTEXT://127.0.0.1:9094", "sasl.enabled.mechanisms", "PLAIN"))
                .contains("listener.name.sasl_plaintext.plain.sasl.jaas.config");
        String badJaas = refusal("listeners", "SASL_PLAINTEXT://127.0.0.1:9094", "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", "PlainLoginModule required user_a=\"secret\"");
        assertThat(badJaas).contains("listener.name.sasl_plaintext.plain.sasl.jaas.config", "not terminated")
                .doesNotContain("secret");
        assertThat(NodeConfig.fromProperties(Map.of("listeners", "SASL_PLAINTEXT://127.0.0.1:9094",
                "sasl.enabled.mechanisms", "SCRAM-SHA-256")).listeners()).hasSize(1);
    }

    @Test
    void aSaslControllerListenerTakesPlainWithTheNodesOwnUser() {
        String[] node = {"process.roles", "broker,controller", "node.id", "1",
            "controller.quorum.voters", "1@127.0.0.1:9093", "controller.listener.names", "CONTROLLER",
            "listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
            "sasl.enabled.mechanisms", "PLAIN"};
        String plainWithoutUser = "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "user_controller=\"secret\";";
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"controller\" "
                + "password=\"secret\" user_controller=\"secret\";";
        // Kafka's default sasl.mechanism.controller.protocol, GSSAPI, is not taken.
        assertThat(refusal(with(node, "listener.name.controller.plain.sasl.jaas.config", plain)))
                .contains("sasl.mechanism.controller.protocol", "GSSAPI", "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
        // SCRAM is (its users are the bootstrap records, then the metadata), when the listener enables it.
        assertThat(refusal(with(node, "listener.name.controller.plain.sasl.jaas.config", plain,
                "sasl.mechanism.controller.protocol", "SCRAM-SHA-512")))
                .contains("sasl.mechanism.controller.protocol", "must be included");
        String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"controller\" "
                + "password=\"secret\";";
        NodeConfig scramConfig = NodeConfig.fromProperties(map(with(node, "sasl.enabled.mechanisms", "SCRAM-SHA-512",
                "listener.name.controller.scram-sha-512.sasl.jaas.config", scram,
                "sasl.mechanism.controller.protocol", "SCRAM-SHA-512")));
        assertThat(ControllerSasl.of(scramConfig.brokerConfig(), scramConfig.listeners()).orElseThrow().client())
                .isEqualTo(new io.fjord.broker.security.sasl.SaslClientCredentials("SCRAM-SHA-512", "controller",
                        "secret"));
        assertThat(refusal(with(node, "listener.name.controller.plain.sasl.jaas.config", plainWithoutUser,
                "sasl.mechanism.controller.protocol", "PLAIN")))
                .contains("listener.name.controller.plain.sasl.jaas.config", "username and password")
                .doesNotContain("secret");
        NodeConfig config = NodeConfig.fromProperties(map(with(node, "listener.name.controller.plain.sasl.jaas.config",
                plain, "sasl.mechanism.controller.protocol", "PLAIN")));
        ControllerSasl sasl = ControllerSasl.of(config.brokerConfig(), config.listeners()).orElseThrow();
        assertThat(sasl.client()).isEqualTo(new io.fjord.broker.security.sasl.SaslClientCredentials("PLAIN",
                "controller", "secret"));
        assertThat(sasl.listener().enabledMechanisms()).containsExactly("PLAIN");
    }

    private static Map<String, String> map(String[] keysAndValues) {
        Map<String, String> map = new java.util.HashMap<>();
        for (int index = 0; index < keysAndValues.length; index += 2) {
            map.put(keysAndValues[index], keysAndValues[index + 1]);
        }
        return map;
    }

    @Test
    void aSaslInterBrokerListenerNeedsAnEnabledMechanismAndTheBrokersOwnUser() {
        String[] cluster = {"process.roles", "broker,controller", "node.id", "1",
            "controller.quorum.voters", "1@127.0.0.1:9093,2@127.0.0.1:9095", "controller.listener.names",
            "CONTROLLER", "listeners", "SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
            "inter.broker.listener.name", "SASL_PLAINTEXT", "sasl.enabled.mechanisms", "SCRAM-SHA-256"};
        // Kafka's default sasl.mechanism.inter.broker.protocol is GSSAPI, which the listener does not enable.
        assertThat(refusal(cluster)).contains("sasl.mechanism.inter.broker.protocol", "GSSAPI",
                "must be included in sasl.enabled.mechanisms");
        assertThat(refusal(with(cluster, "sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256")))
                .contains("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", "username and password");
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" "
                + "password=\"broker-secret\";";
        NodeConfig config = NodeConfig.fromProperties(map(with(cluster, "sasl.mechanism.inter.broker.protocol",
                "SCRAM-SHA-256", "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", jaas)));
        assertThat(InterBrokerSasl.credentials(config.brokerConfig(), config.listeners(), true))
                .isEqualTo(new io.fjord.broker.security.sasl.SaslClientCredentials("SCRAM-SHA-256", "broker",
                        "broker-secret"));
    }

    private static String[] with(String[] keysAndValues, String... more) {
        String[] all = java.util.Arrays.copyOf(keysAndValues, keysAndValues.length + more.length);
        System.arraycopy(more, 0, all, keysAndValues.length, more.length);
        return all;
    }

    @Test
    void aListenerNameWithoutASecurityProtocolIsRefusedAsInKafka() {
        assertThat(refusal("listeners", "PLAINTXT://127.0.0.1:9092"))
                .contains("listeners", "PLAINTXT://127.0.0.1:9092", "listener.security.protocol.map");
        assertThat(refusal("listeners", "CLIENT://127.0.0.1:9092", "listener.security.protocol.map",
                "CLIENT:PLAINTXT")).contains("listener.security.protocol.map", "CLIENT:PLAINTXT", "PLAINTXT");
        assertThat(refusal("listener.security.protocol.map", "PLAINTEXT")).contains("listener.security.protocol.map");
        assertThat(refusal("listeners", "PLAINTEXT://127.0.0.1:9092", "advertised.listeners",
                "OTHER://127.0.0.1:9092", "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT"))
                .contains("advertised.listeners", "OTHER");
    }

    @Test
    void plaintextListenersOfAnyNameAreAccepted() {
        NodeConfig config = config("listeners", "CLIENT://127.0.0.1:0,plaintext://127.0.0.1:0",
                "listener.security.protocol.map", "client:plaintext,PLAINTEXT:PLAINTEXT");
        assertThat(config.listeners()).extracting(Endpoint::listenerName).containsExactly("CLIENT", "plaintext");
    }

    @Test
    void aNodeWithoutVotersIsAQuorumOfOneWithBothRoles() {
        assertThat(refusal("process.roles", "broker")).contains("controller.quorum.voters", "process.roles=broker");
        assertThat(refusal("process.roles", "controller")).contains("controller.quorum.voters");
        assertThat(refusal("process.roles", "broker,router")).contains("process.roles", "router");
        assertThat(refusal("process.roles", "broker,broker")).contains("process.roles");
        NodeConfig single = config("process.roles", "controller,broker");
        assertThat(single.quorum().isStandalone()).isTrue();
        assertThat(single.quorum().isBroker()).isTrue();
        assertThat(single.quorum().isController()).isTrue();
        // A quorum of this node alone is what a single node runs.
        assertThat(config("node.id", "3", "controller.quorum.voters", "3@localhost:9093",
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093", "controller.listener.names", "CONTROLLER")
                .quorum().voters()).containsOnlyKeys(3);
    }

    @Test
    void aClusterNodeIsCheckedAsKafkaChecksIt() {
        String voters = "1@localhost:9093,2@host2:9093,3@host3:9093";
        NodeConfig voter = config("node.id", "1", "controller.quorum.voters", voters,
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093", "controller.listener.names", "CONTROLLER");
        assertThat(voter.quorum().voters()).containsOnlyKeys(1, 2, 3);
        assertThat(voter.quorum().controllerListener().port()).isEqualTo(9093);
        // The controller listener is the quorum's: the broker's socket server does not bind it.
        assertThat(voter.networkConfig().listeners()).extracting(Endpoint::listenerName).containsExactly("PLAINTEXT");

        assertThat(refusal("node.id", "4", "controller.quorum.voters", voters,
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093", "controller.listener.names", "CONTROLLER"))
                .contains("controller.quorum.voters", "node id 4 must be included");
        assertThat(refusal("node.id", "1", "controller.quorum.voters", voters, "listeners", "PLAINTEXT://:9092"))
                .contains("controller.listener.names", "must not be empty");
        assertThat(refusal("node.id", "1", "controller.quorum.voters", voters, "listeners", "PLAINTEXT://:9092",
                "controller.listener.names", "CONTROLLER")).contains("controller.listener.names", "'listeners'");
        assertThat(refusal("controller.quorum.voters", "localhost:9093")).contains("id@host:port");
        assertThat(refusal("node.id", "1", "controller.quorum.voters", "1@a:1,1@b:2",
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093", "controller.listener.names", "CONTROLLER"))
                .contains("voter 1 appears twice");
        assertThat(refusal("node.id", "1", "controller.quorum.bootstrap.servers", "controller1:9093",
                "listeners", "PLAINTEXT://:9092")).contains("controller.listener.names", "must not be empty");
    }

    @Test
    void aDynamicQuorumTakesItsBootstrapServersAndAnyRoles() {
        String servers = "localhost:9093,host2:9093,host3:9093";
        NodeConfig controller = config("node.id", "1", "controller.quorum.bootstrap.servers", servers,
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093", "controller.listener.names", "CONTROLLER");
        assertThat(controller.quorum().isDynamic()).isTrue();
        assertThat(controller.quorum().isStandalone()).isFalse();
        assertThat(controller.quorum().voters()).isEmpty();
        // Its own listener is left out: it does not ask itself for the leader.
        assertThat(controller.quorum().bootstrapServers()).extracting(java.net.InetSocketAddress::getHostString)
                .containsExactly("host2", "host3");
        NodeConfig broker = config("node.id", "7", "process.roles", "broker",
                "controller.quorum.bootstrap.servers", servers, "listeners", "PLAINTEXT://:9092",
                "controller.listener.names", "CONTROLLER");
        assertThat(broker.quorum().isDynamic()).isTrue();
        assertThat(broker.quorum().controllerListener()).isNull();
        // A cluster keeps Kafka's replication factor of the offsets topic; a quorum of one gets 1.
        assertThat(broker.brokerConfig().intValue("offsets.topic.replication.factor")).isEqualTo(3);
        assertThat(config("process.roles", "broker,controller").brokerConfig()
                .intValue("offsets.topic.replication.factor")).isEqualTo(1);
        NodeConfig both = config("node.id", "2", "controller.quorum.bootstrap.servers", servers,
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9094", "controller.listener.names", "CONTROLLER",
                "advertised.listeners", "PLAINTEXT://public:9092,CONTROLLER://public:9094");
        assertThat(both.quorum().advertisedControllerEndpoint(both.brokerConfig()))
                .isEqualTo(new io.fjord.raft.VoterEndpoint("CONTROLLER", "public", 9094));

        assertThat(refusal("node.id", "7", "process.roles", "broker", "controller.quorum.bootstrap.servers", servers,
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093", "controller.listener.names", "CONTROLLER"))
                .contains("controller.listener.names", "just the broker role");
        assertThat(refusal("node.id", "1", "controller.quorum.bootstrap.servers", "host2:x",
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093", "controller.listener.names", "CONTROLLER"))
                .contains("controller.quorum.bootstrap.servers", "host2:x");
        String tooMany = java.util.stream.IntStream.range(0, 65).mapToObj(i -> "h" + i + ":9093")
                .collect(java.util.stream.Collectors.joining(","));
        assertThat(refusal("node.id", "1", "controller.quorum.bootstrap.servers", tooMany,
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093", "controller.listener.names", "CONTROLLER"))
                .contains("controller.quorum.bootstrap.servers", "at most 64");
    }

    @Test
    void kafkasOwnSingleNodeConfigurationIsAcceptedAndItsControllerListenerNotAdvertised() {
        NodeConfig config = config("process.roles", "broker,controller", "node.id", "1",
                "controller.quorum.bootstrap.servers", "localhost:9093",
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093",
                "controller.listener.names", "CONTROLLER");
        assertThat(config.advertisedListeners()).extracting(Endpoint::listenerName).containsExactly("PLAINTEXT");
        config("process.roles", "broker,controller", "node.id", "1",
                "controller.quorum.bootstrap.servers", "localhost:9093",
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093", "advertised.listeners", "PLAINTEXT://localhost:9092",
                "controller.listener.names", "CONTROLLER", "listener.security.protocol.map",
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL");
        assertThatThrownBy(() -> config("listeners", "CONTROLLER://:9093", "controller.listener.names", "CONTROLLER"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("controller.listener.names");
    }
}
