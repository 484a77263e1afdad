package io.fjord.bench.load;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the load's topic through the Admin client when asked to. Stateless. */
final class TopicSetup {
    private static final long TIMEOUT_SECONDS = 60;

    private TopicSetup() {
    }

    /** Creates {@code topic} with {@code partitions} partitions unless it exists; does nothing for 0 partitions. */
    static void createIfMissing(String bootstrapServers, String topic, int partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (partitions <= 0) {
            return;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
