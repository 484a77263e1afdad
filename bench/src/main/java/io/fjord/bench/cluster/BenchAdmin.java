package io.fjord.bench.cluster;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Admin client settings every mode uses, the same for both systems. Backoffs are short so that the figures show
 * how fast the cluster recovers rather than the client's default exponential backoff (up to 1 s between retries);
 * the request timeout is bounded so that a request lost with a killed node is retried within seconds. Stateless.
 */
final class BenchAdmin {
    private BenchAdmin() {
    }

    static Admin create(String bootstrapServers, Map<String, String> extraProperties) {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "fjord-cluster-bench");
        properties.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "20");
        properties.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "100");
        properties.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "20");
        properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "100");
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        properties.putAll(extraProperties);
        return Admin.create(properties);
    }
}
