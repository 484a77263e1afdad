package io.fjord.server;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.handlers.DescribeClientQuotasHandler;
import io.fjord.broker.handlers.ForwardedControllerHandler;
import io.fjord.broker.handlers.FetchHandler;
import io.fjord.broker.quota.ClientQuotas;
import io.fjord.broker.quota.ConsumerFetchThrottle;
import io.fjord.broker.quota.ControllerMutationQuotaHandlers;
import io.fjord.broker.quota.QuotaEnforcingHandler;
import io.fjord.protocol.message.ApiKey;
import java.time.InstantSource;
import java.util.Map;

/**
 * A broker's client quotas: the quota managers with the {@code quota.window.*} settings (a metadata publisher, so
 * quota changes apply at once), the DescribeClientQuotas and forwarded AlterClientQuotas handlers, and every handler
 * wrapped to enforce the quotas. Stateless.
 */
final class ClientQuotaWiring {
    private ClientQuotaWiring() {
    }

    /** The quota managers; publish the image to them. */
    static ClientQuotas quotas(BrokerConfig config) {
        return new ClientQuotas(config.intValue("quota.window.num"),
                config.intValue("quota.window.size.seconds") * 1000L);
    }

    /**
     * Adds the quota APIs to {@code handlers}, and wraps their CreateTopics, CreatePartitions and DeleteTopics to
     * enforce {@code controller_mutation_rate} (inside the authorization checks, so a denied topic costs nothing);
     * the Fetch handler answers a consumer over its quota empty.
     */
    static void register(Map<ApiKey, ApiHandler> handlers, MetadataCache cache, ControllerChannel controller,
            ClientQuotas quotas, BrokerConfig config, InstantSource clock) {
        handlers.put(ApiKey.DESCRIBE_CLIENT_QUOTAS, new DescribeClientQuotasHandler(cache));
        handlers.put(ApiKey.ALTER_CLIENT_QUOTAS, new ForwardedControllerHandler(controller,
                ApiKey.ALTER_CLIENT_QUOTAS));
        int defaultPartitions = config.intValue("num.partitions");
        ControllerMutationQuotaHandlers mutations = new ControllerMutationQuotaHandlers(quotas.controllerMutation(),
                cache, () -> defaultPartitions, clock);
        handlers.computeIfPresent(ApiKey.CREATE_TOPICS, (api, handler) -> mutations.createTopics(handler));
        handlers.computeIfPresent(ApiKey.CREATE_PARTITIONS, (api, handler) -> mutations.createPartitions(handler));
        handlers.computeIfPresent(ApiKey.DELETE_TOPICS, (api, handler) -> mutations.deleteTopics(handler));
        if (handlers.get(ApiKey.FETCH) instanceof FetchHandler fetch) {
            fetch.useQuota(new ConsumerFetchThrottle(quotas, clock));
        }
    }

    /** The handlers, each enforcing the quotas. */
    static Map<ApiKey, ApiHandler> enforcing(Map<ApiKey, ApiHandler> handlers, ClientQuotas quotas,
            InstantSource clock) {
        return QuotaEnforcingHandler.wrapAll(handlers, quotas, clock, System::nanoTime);
    }
}
