package io.fjord.broker.config;

import static io.fjord.broker.config.ConfigType.BOOLEAN;
import static io.fjord.broker.config.ConfigType.CLASS;
import static io.fjord.broker.config.ConfigType.INT;
import static io.fjord.broker.config.ConfigType.LIST;
import static io.fjord.broker.config.ConfigType.LONG;
import static io.fjord.broker.config.ConfigType.PASSWORD;
import static io.fjord.broker.config.ConfigType.SHORT;
import static io.fjord.broker.config.ConfigType.STRING;
import static io.fjord.broker.config.DynamicUpdateMode.CLUSTER_WIDE;
import static io.fjord.broker.config.DynamicUpdateMode.PER_BROKER;
import static io.fjord.broker.config.DynamicUpdateMode.READ_ONLY;
import static io.fjord.broker.config.Importance.HIGH;
import static io.fjord.broker.config.Importance.LOW;
import static io.fjord.broker.config.Importance.MEDIUM;
import static io.fjord.broker.config.Validators.any;
import static io.fjord.broker.config.Validators.atLeast;

import io.fjord.broker.fetch.RackAwareReplicaSelector;
import io.fjord.broker.security.authorizer.StandardAuthorizer;
import java.util.Map;

/**
 * The broker configurations outside the log: node identity and KRaft, listeners and sockets, threads, topic creation,
 * groups and offsets, transactions, replication, and the security settings commonly found in
 * {@code server.properties}. Immutable and thread-safe.
 */
final class ServerBrokerConfigs {
    private static final int MB = 1024 * 1024;

    static final Map<String, ConfigDefinition> DEFINITIONS = new DefinitionTable(READ_ONLY)
            // Node identity and KRaft.
            .add(ConfigDefinition.mandatory("node.id", INT, atLeast(0), HIGH,
                    "The node id of this process's broker and controller roles"))
            .add(ConfigDefinition.mandatory("process.roles", LIST, Validators.listOf(false, "broker", "controller"),
                    HIGH, "The roles of this process: broker, controller, or both"))
            .define("broker.rack", STRING, null, any(), MEDIUM, "Rack of the broker, for rack-aware placement")
            .define("controller.listener.names", LIST, null, Validators.nonDuplicateList(true), HIGH,
                    "Names of the listeners used by the controller")
            .define("controller.quorum.voters", LIST, "", any(), HIGH,
                    "Static voter set as id@host:port entries")
            .define("controller.quorum.bootstrap.servers", LIST, "", any(), HIGH,
                    "host:port addresses used to discover the controller quorum")
            .define("controller.quorum.election.timeout.ms", INT, 1000, any(), HIGH,
                    "Maximum time without a leader before a new election starts")
            .define("controller.quorum.fetch.timeout.ms", INT, 2000, any(), HIGH,
                    "Maximum time without a successful fetch before a voter starts an election")
            .define("controller.quorum.election.backoff.max.ms", INT, 1000, any(), HIGH,
                    "Maximum backoff before starting a new election")
            .define("controller.quorum.append.linger.ms", INT, 25, any(), MEDIUM,
                    "How long the leader waits for writes to accumulate before flushing")
            .define("controller.quorum.request.timeout.ms", INT, 2000, any(), MEDIUM,
                    "How long a quorum request may wait for its response")
            .define("controller.quorum.retry.backoff.ms", INT, 20, any(), LOW,
                    "Time to wait before retrying a failed quorum request")
            .define("broker.heartbeat.interval.ms", INT, 2000, any(), MEDIUM,
                    "Time between broker heartbeats to the controller")
            .define("broker.session.timeout.ms", INT, 9000, any(), MEDIUM,
                    "How long a broker's lease lasts without heartbeats")
            .define("initial.broker.registration.timeout.ms", INT, 60_000, any(), MEDIUM,
                    "How long the first registration with the controller may take before the broker exits")
            .define("metadata.log.segment.bytes", INT, TopicConfigs.SEGMENT_BYTES_DEFAULT, atLeast(12), HIGH,
                    "The maximum size of a single metadata log file")
            .define("metadata.log.segment.ms", LONG, TopicConfigs.WEEK_MS, any(), HIGH,
                    "The maximum time before a new metadata log file is rolled out")
            .define("metadata.max.retention.bytes", LONG, 100L * MB, any(), HIGH,
                    "The maximum combined size of the metadata log and snapshots")
            .define("metadata.max.retention.ms", LONG, TopicConfigs.WEEK_MS, any(), HIGH,
                    "How long metadata log files and snapshots are kept")
            .define("metadata.log.max.record.bytes.between.snapshots", LONG, 20L * MB, atLeast(1), HIGH,
                    "Metadata log bytes after the latest snapshot that trigger a new one")
            .define("metadata.log.max.snapshot.interval.ms", LONG, 3_600_000L, atLeast(0), HIGH,
                    "Maximum time between snapshots when there are new committed records")
            .define("metadata.max.idle.interval.ms", INT, 500, atLeast(0), LOW,
                    "How often the active controller writes no-op records")
            // Listeners and sockets.
            .define("listeners", LIST, "PLAINTEXT://:9092", Validators.nonDuplicateList(false), HIGH, PER_BROKER,
                    "Comma-separated URIs this node listens on, with listener names")
            .define("advertised.listeners", LIST, null, any(), HIGH, PER_BROKER,
                    "Listener addresses advertised to clients and other brokers; listeners when not set")
            .define("listener.security.protocol.map", STRING,
                    "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", any(), LOW,
                    PER_BROKER, "Map between listener names and security protocols")
            .define("inter.broker.listener.name", STRING, null, any(), MEDIUM,
                    "Name of the listener brokers use to talk to each other")
            .define("security.inter.broker.protocol", STRING, "PLAINTEXT",
                    Validators.oneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"), MEDIUM,
                    "Security protocol between brokers when inter.broker.listener.name is not set")
            .define("socket.send.buffer.bytes", INT, 100 * 1024, any(), HIGH,
                    "SO_SNDBUF of the server sockets; -1 for the OS default")
            .define("socket.receive.buffer.bytes", INT, 100 * 1024, any(), HIGH,
                    "SO_RCVBUF of the server sockets; -1 for the OS default")
            .define("socket.request.max.bytes", INT, 100 * MB, atLeast(1), HIGH,
                    "The maximum number of bytes in a socket request")
            .define("socket.listen.backlog.size", INT, 50, atLeast(1), MEDIUM,
                    "The maximum number of pending connections on the socket")
            .define("max.connections", INT, Integer.MAX_VALUE, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "The maximum number of connections the broker allows at any time")
            .define("max.connections.per.ip", INT, Integer.MAX_VALUE, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "The maximum number of connections from each IP address")
            .define("max.connections.per.ip.overrides", STRING, "", any(), MEDIUM, CLUSTER_WIDE,
                    "Per-IP or hostname overrides of max.connections.per.ip")
            .define("max.connection.creation.rate", INT, Integer.MAX_VALUE, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "The maximum connection creation rate the broker allows")
            .define("connections.max.idle.ms", LONG, 600_000L, any(), MEDIUM,
                    "Idle connections are closed after this long")
            .define("connection.failed.authentication.delay.ms", INT, 100, atLeast(0), LOW,
                    "Delay before closing a connection that failed authentication")
            .define("queued.max.requests", INT, 500, atLeast(1), HIGH,
                    "Requests queued for the I/O threads before the network threads block")
            .define("queued.max.request.bytes", LONG, -1L, any(), MEDIUM,
                    "Bytes of queued requests before no more are read; -1 for no limit")
            // Threads.
            .define("num.network.threads", INT, MachineDefaults.networkThreads(MachineDefaults.processors()),
                    atLeast(1), HIGH, CLUSTER_WIDE, "Threads that receive requests, send responses and serve light "
                    + "Produce requests and followers' Fetch requests (event loops)")
            .define("num.io.threads", INT, 8, atLeast(1), HIGH, CLUSTER_WIDE, "Threads that process requests")
            .define("background.threads", INT, 10, atLeast(1), HIGH, CLUSTER_WIDE,
                    "Threads for background processing tasks")
            .define("num.replica.fetchers", INT, 1, any(), HIGH, CLUSTER_WIDE,
                    "Fetcher threads per source broker")
            // Topics.
            .define("num.partitions", INT, 1, atLeast(1), MEDIUM, "The default number of partitions per topic")
            .define("default.replication.factor", INT, 1, any(), MEDIUM,
                    "The default replication factor of automatically created topics")
            .define("auto.create.topics.enable", BOOLEAN, true, any(), HIGH,
                    "Create a topic automatically when it is first used")
            .define("delete.topic.enable", BOOLEAN, true, any(), HIGH, "Allow topics to be deleted")
            .define("auto.leader.rebalance.enable", BOOLEAN, true, any(), HIGH,
                    "Move leadership back to preferred replicas periodically")
            .define("leader.imbalance.check.interval.seconds", LONG, 300L, atLeast(1), HIGH,
                    "How often the controller checks for leader imbalance")
            .define("leader.imbalance.per.broker.percentage", INT, 10, any(), HIGH,
                    "Leader imbalance allowed per broker, in percent")
            .define("create.topic.policy.class.name", CLASS, null, any(), LOW,
                    "Class that validates CreateTopics requests")
            .define("alter.config.policy.class.name", CLASS, null, any(), LOW,
                    "Class that validates AlterConfigs requests")
            // Groups and offsets.
            .define("offsets.topic.num.partitions", INT, 50, atLeast(1), HIGH,
                    "Partitions of the offsets topic; do not change after deployment")
            .define("offsets.topic.replication.factor", SHORT, 3, atLeast(1), HIGH,
                    "Replication factor of the offsets topic")
            .define("offsets.topic.segment.bytes", INT, 100 * MB, atLeast(1), HIGH,
                    "Segment size of the offsets topic")
            .define("offsets.topic.compression.codec", INT, 0, any(), HIGH,
                    "Compression codec of the offsets topic")
            .define("offsets.retention.minutes", INT, 7 * 24 * 60, atLeast(1), HIGH,
                    "How long committed offsets of an empty group are kept")
            .define("offsets.retention.check.interval.ms", LONG, 600_000L, atLeast(1), HIGH,
                    "How often stale offsets are looked for")
            .define("offsets.commit.timeout.ms", INT, 5000, atLeast(1), HIGH,
                    "How long an offset commit may wait for replication")
            .define("offsets.load.buffer.size", INT, 5 * MB, atLeast(1), HIGH,
                    "Batch size for reading the offsets topic when loading")
            .define("offset.metadata.max.bytes", INT, 4096, any(), HIGH,
                    "The largest metadata string an offset commit may carry")
            .define("group.initial.rebalance.delay.ms", INT, 3000, any(), MEDIUM,
                    "How long the coordinator waits for members before the first rebalance of a new group")
            .define("group.min.session.timeout.ms", INT, 6000, any(), MEDIUM,
                    "The minimum session timeout of classic group members")
            .define("group.max.session.timeout.ms", INT, 1_800_000, any(), MEDIUM,
                    "The maximum session timeout of classic group members")
            .define("group.max.size", INT, Integer.MAX_VALUE, atLeast(1), MEDIUM,
                    "The maximum number of members of a classic group")
            .define("group.coordinator.rebalance.protocols", LIST, "classic,consumer,streams",
                    Validators.listOf(false, "classic", "consumer", "share", "streams"), MEDIUM,
                    "The rebalance protocols the group coordinator serves")
            .define("group.consumer.session.timeout.ms", INT, 45_000, atLeast(1), MEDIUM,
                    "Session timeout of consumer-protocol members")
            .define("group.consumer.min.session.timeout.ms", INT, 45_000, atLeast(1), MEDIUM,
                    "The minimum allowed session timeout of consumer-protocol members")
            .define("group.consumer.max.session.timeout.ms", INT, 60_000, atLeast(1), MEDIUM,
                    "The maximum allowed session timeout of consumer-protocol members")
            .define("group.consumer.heartbeat.interval.ms", INT, 5000, atLeast(1), MEDIUM,
                    "Heartbeat interval of consumer-protocol members")
            .define("group.consumer.settling.heartbeat.interval.ms", INT, 500, atLeast(1), MEDIUM,
                    "Fjord's, not Kafka's: the heartbeat interval told to consumer-protocol members while their group "
                            + "settles (capped by group.consumer.heartbeat.interval.ms; equal to it gives Kafka's "
                            + "behaviour)")
            .define("group.consumer.min.heartbeat.interval.ms", INT, 5000, atLeast(1), MEDIUM,
                    "The minimum allowed heartbeat interval of consumer-protocol members")
            .define("group.consumer.max.heartbeat.interval.ms", INT, 15_000, atLeast(1), MEDIUM,
                    "The maximum allowed heartbeat interval of consumer-protocol members")
            .define("group.consumer.max.size", INT, Integer.MAX_VALUE, atLeast(1), MEDIUM,
                    "The maximum number of members of a consumer group")
            .define("group.consumer.assignors", LIST, "uniform,range", Validators.nonDuplicateList(false), MEDIUM,
                    "The server-side assignors, by name or Kafka class name; the first is the default")
            // Transactions and producer ids.
            .define("transaction.state.log.num.partitions", INT, 50, atLeast(1), HIGH,
                    "Partitions of the transaction topic")
            .define("transaction.state.log.replication.factor", SHORT, 3, atLeast(1), HIGH,
                    "Replication factor of the transaction topic")
            .define("transaction.state.log.segment.bytes", INT, 100 * MB, atLeast(1), HIGH,
                    "Segment size of the transaction topic")
            .define("transaction.state.log.min.isr", INT, 2, atLeast(1), HIGH,
                    "min.insync.replicas of the transaction topic")
            .define("transaction.state.log.load.buffer.size", INT, 5 * MB, atLeast(1), HIGH,
                    "Batch size for reading the transaction topic when loading")
            .define("transaction.max.timeout.ms", INT, 900_000, atLeast(1), HIGH,
                    "The maximum transaction timeout a producer may ask for")
            .define("transactional.id.expiration.ms", INT, 604_800_000, atLeast(1), HIGH,
                    "How long an idle transactional id is kept")
            .define("transaction.abort.timed.out.transaction.cleanup.interval.ms", INT, 10_000, atLeast(1), LOW,
                    "How often timed-out transactions are rolled back")
            .define("transaction.remove.expired.transaction.cleanup.interval.ms", INT, 3_600_000, atLeast(1), LOW,
                    "How often expired transactional ids are removed")
            .define("transaction.partition.verification.enable", BOOLEAN, true, any(), LOW, CLUSTER_WIDE,
                    "Verify that a partition was added to the transaction before appending to it")
            .define("add.partitions.to.txn.retry.backoff.ms", INT, 20, atLeast(1), HIGH,
                    "The wait before a leader asks again to add a partition the coordinator answered"
                            + " CONCURRENT_TRANSACTIONS (transaction protocol v2 produce)")
            .define("add.partitions.to.txn.retry.backoff.max.ms", INT, 100, atLeast(0), HIGH,
                    "How long a leader keeps asking to add a partition to a transaction; capped by"
                            + " request.timeout.ms")
            .define("producer.id.expiration.ms", INT, 86_400_000, atLeast(1), LOW, CLUSTER_WIDE,
                    "How long producer-id state is kept after the producer's last write")
            // Replication and fetching.
            .define("replica.lag.time.max.ms", LONG, 30_000L, any(), HIGH,
                    "A follower that has not caught up for this long leaves the ISR")
            .define("replica.fetch.max.bytes", INT, MB, atLeast(0), MEDIUM,
                    "Bytes a follower fetches per partition")
            .define("replica.fetch.min.bytes", INT, 1, any(), HIGH,
                    "Minimum bytes for each follower fetch response")
            .define("replica.fetch.wait.max.ms", INT, 500, any(), MEDIUM,
                    "The maximum wait of each follower fetch")
            .define("replica.fetch.backoff.ms", INT, 1000, atLeast(0), MEDIUM,
                    "Sleep after a follower fetch error")
            .define("replica.fetch.response.max.bytes", INT, 10 * MB, atLeast(0), MEDIUM,
                    "Bytes a follower fetches in one response")
            .define("replica.socket.timeout.ms", INT, 30_000, any(), HIGH,
                    "Socket timeout of follower fetches")
            .define("replica.socket.receive.buffer.bytes", INT, 64 * 1024, any(), HIGH,
                    "Socket receive buffer of follower fetches")
            .define("replica.high.watermark.checkpoint.interval.ms", LONG, 5000L, any(), HIGH,
                    "How often the high watermark is saved to disk")
            .define("leader.replication.throttled.rate", LONG, Long.MAX_VALUE, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "Bytes per second a leader sends to throttled out-of-sync replicas")
            .define("follower.replication.throttled.rate", LONG, Long.MAX_VALUE, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "Bytes per second a follower fetches for throttled replicas")
            .define("replication.quota.window.num", INT, 11, atLeast(1), LOW,
                    "Samples kept to measure replication throttle rates")
            .define("replication.quota.window.size.seconds", INT, 1, atLeast(1), LOW,
                    "Length of each sample of replication throttle rates")
            .define("quota.window.num", INT, 11, atLeast(1), LOW, "Samples kept to measure client quota rates")
            .define("quota.window.size.seconds", INT, 1, atLeast(1), LOW,
                    "Length of each sample of client quota rates")
            // Kafka's only built-in selector; start-up refuses any other class rather than ignore it.
            .define("replica.selector.class", STRING, null,
                    Validators.oneOf(RackAwareReplicaSelector.KAFKA_CLASS_NAME), MEDIUM,
                    "Class that chooses the replica a consumer fetches from; unset: the leader")
            .define("fetch.max.bytes", INT, 55 * MB, atLeast(1024), MEDIUM,
                    "The maximum bytes returned for a fetch request")
            .define("max.incremental.fetch.session.cache.slots", INT, 1000, atLeast(0), MEDIUM,
                    "The maximum number of incremental fetch sessions kept")
            .define("fetch.purgatory.purge.interval.requests", INT, 1000, any(), MEDIUM,
                    "Purge interval of the fetch request purgatory")
            .define("producer.purgatory.purge.interval.requests", INT, 1000, any(), MEDIUM,
                    "Purge interval of the produce request purgatory")
            .define("max.request.partition.size.limit", INT, 2000, atLeast(1), LOW,
                    "The maximum number of partitions in a DescribeTopicPartitions response")
            .define("request.timeout.ms", INT, 30_000, any(), LOW,
                    "How long an inter-node request may wait for its response")
            // Security settings commonly found in server.properties.
            .define("sasl.enabled.mechanisms", LIST, "GSSAPI", any(), MEDIUM, PER_BROKER,
                    "SASL mechanisms enabled on the broker")
            .define("sasl.mechanism.inter.broker.protocol", STRING, "GSSAPI", any(), MEDIUM,
                    "SASL mechanism between brokers")
            .define("sasl.mechanism.controller.protocol", STRING, "GSSAPI", any(), HIGH,
                    "SASL mechanism towards the controllers")
            .define("sasl.jaas.config", PASSWORD, null, any(), MEDIUM, PER_BROKER,
                    "JAAS login context in the JAAS file format")
            .define("connections.max.reauth.ms", LONG, 0L, any(), MEDIUM,
                    "Longest SASL session before a client must re-authenticate (KIP-368); 0: sessions do not expire")
            .define("ssl.keystore.type", STRING, "JKS", any(), MEDIUM, PER_BROKER, "File format of the keystore")
            .define("ssl.keystore.location", STRING, null, any(), HIGH, PER_BROKER, "Location of the keystore")
            .define("ssl.keystore.password", PASSWORD, null, any(), HIGH, PER_BROKER, "Password of the keystore")
            .define("ssl.key.password", PASSWORD, null, any(), HIGH, PER_BROKER,
                    "Password of the private key in the keystore")
            .define("ssl.truststore.type", STRING, "JKS", any(), MEDIUM, PER_BROKER,
                    "File format of the truststore")
            .define("ssl.truststore.location", STRING, null, any(), HIGH, PER_BROKER,
                    "Location of the truststore")
            .define("ssl.truststore.password", PASSWORD, null, any(), HIGH, PER_BROKER,
                    "Password of the truststore")
            .define("ssl.client.auth", STRING, "none", Validators.oneOf("required", "requested", "none"), MEDIUM,
                    PER_BROKER, "Whether the broker asks clients for certificates")
            .define("ssl.endpoint.identification.algorithm", STRING, "https", any(), LOW, PER_BROKER,
                    "Endpoint identification algorithm checked against server certificates")
            .define("ssl.protocol", STRING, "TLSv1.3", any(), MEDIUM, PER_BROKER,
                    "The TLS protocol of the SSL context")
            .define("ssl.enabled.protocols", LIST, "TLSv1.2,TLSv1.3", any(), MEDIUM, PER_BROKER,
                    "The TLS protocols enabled on connections")
            .define("ssl.cipher.suites", LIST, "", any(), LOW, PER_BROKER,
                    "The cipher suites enabled; empty for the JVM's defaults")
            .define("ssl.keystore.certificate.chain", PASSWORD, null, any(), HIGH, PER_BROKER,
                    "Certificate chain in PEM, for keystore type PEM")
            .define("ssl.keystore.key", PASSWORD, null, any(), HIGH, PER_BROKER,
                    "Private key in PKCS#8 PEM, for keystore type PEM")
            .define("ssl.truststore.certificates", PASSWORD, null, any(), HIGH, PER_BROKER,
                    "Trusted certificates in PEM, for truststore type PEM")
            .define("ssl.keymanager.algorithm", STRING, "SunX509", any(), LOW, PER_BROKER,
                    "The key manager factory algorithm")
            .define("ssl.trustmanager.algorithm", STRING, "PKIX", any(), LOW, PER_BROKER,
                    "The trust manager factory algorithm")
            .define("ssl.principal.mapping.rules", STRING, "DEFAULT", any(), LOW,
                    "Rules mapping a client certificate's distinguished name to the principal name")
            // Kafka's StandardAuthorizer (ACLs in the metadata log) or none; start-up refuses any other class.
            .define("authorizer.class.name", STRING, "", Validators.oneOf("", StandardAuthorizer.KAFKA_CLASS_NAME),
                    LOW, "The authorizer: empty for none, or Kafka's StandardAuthorizer for ACLs")
            .define("super.users", STRING, null, any(), HIGH,
                    "Principals (Type:name) separated by semicolons that every ACL check allows")
            .define("allow.everyone.if.no.acl.found", BOOLEAN, false, any(), MEDIUM,
                    "Whether a resource without any ACL is open to everyone")
            .build();

    private ServerBrokerConfigs() {
    }
}
