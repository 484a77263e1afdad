package io.fjord.integration;

import io.fjord.server.FjordNode;
import io.fjord.server.NodeConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** A Fjord node in this JVM on a free loopback port and a temporary data directory. Not thread-safe. */
final class FjordTestNode implements AutoCloseable {
    private final FjordNode node;

    private FjordTestNode(FjordNode node) {
        this.node = node;
    }

    static FjordTestNode start(Path dataDirectory, Map<String, String> extra) throws InterruptedException {
        Map<String, String> properties = new HashMap<>();
        properties.put("listeners", "PLAINTEXT://127.0.0.1:0");
        properties.put("log.dirs", dataDirectory.toString());
        properties.putAll(extra);
        FjordNode node = new FjordNode(NodeConfig.fromProperties(properties), InstantSource.system());
        node.start();
        return new FjordTestNode(node);
    }

    String bootstrapServers() {
        InetSocketAddress address = node.boundAddress("PLAINTEXT");
        return "127.0.0.1:" + address.getPort();
    }

    /** An Admin client of this node with test timeouts (20 s per call, 10 s per request). */
    Admin admin() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(properties);
    }

    FjordNode node() {
        return node;
    }

    @Override
    public void close() {
        node.stop();
    }
}
