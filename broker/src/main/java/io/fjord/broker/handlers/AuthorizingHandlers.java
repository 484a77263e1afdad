package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.security.authorizer.Authorizer;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.protocol.message.ApiKey;
import java.util.EnumMap;
import java.util.Map;

/**
 * Puts the authorization checks Kafka 4.4 makes in front of each API's handler: every handler of the map is wrapped
 * by its family's checks ({@link ClusterApiAuthorization}, {@link ProduceAuthorization}, {@link
 * MetadataAuthorization}, {@link TopicApiAuthorization}, {@link GroupApiAuthorization}, {@link
 * TransactionApiAuthorization}, {@link ConfigApiAuthorization}, {@link PartitionApiAuthorization}, {@link
 * FindCoordinatorAuthorization}); Fetch checks inside its handler ({@link FetchHandler#useAuthorization}), because a
 * fetch session's partitions are not all in the request. A check that denies answers with Kafka's error code in the
 * API's shape; the handler sees only what was allowed. APIs Kafka does not authorize (ApiVersions, SASL) stay as they
 * are.
 *
 * <p>Stateless; the handlers returned are thread-safe as the wrapped ones are.
 */
public final class AuthorizingHandlers {
    private AuthorizingHandlers() {
    }

    /** The handlers with the checks in front, asking {@code authorizer} (denials logged at most once a minute). */
    public static Map<ApiKey, ApiHandler> wrap(Map<ApiKey, ApiHandler> handlers, Authorizer authorizer,
            MetadataCache cache) {
        return wrap(handlers, RequestAuthorization.of(authorizer), cache);
    }

    /** The handlers with the checks in front. */
    public static Map<ApiKey, ApiHandler> wrap(Map<ApiKey, ApiHandler> handlers, RequestAuthorization authorization,
            MetadataCache cache) {
        Map<ApiKey, ApiHandler> wrapped = new EnumMap<>(ApiKey.class);
        for (Map.Entry<ApiKey, ApiHandler> entry : handlers.entrySet()) {
            ApiKey api = entry.getKey();
            ApiHandler handler = entry.getValue();
            if (handler instanceof FetchHandler fetch) {
                fetch.useAuthorization(authorization);
            }
            ApiHandler checked = checked(api, handler, authorization, cache);
            wrapped.put(api, checked == null ? handler : checked);
        }
        return wrapped;
    }

    /** {@code handler} behind its family's checks, or null when Kafka checks nothing for {@code api} there. */
    static ApiHandler checked(ApiKey api, ApiHandler handler, RequestAuthorization authorization,
            MetadataCache cache) {
        ApiHandler checked = ClusterApiAuthorization.wrap(api, handler, authorization);
        if (checked == null) {
            checked = ProduceAuthorization.wrap(api, handler, authorization, cache);
        }
        if (checked == null) {
            checked = MetadataAuthorization.wrap(api, handler, authorization, cache);
        }
        if (checked == null) {
            checked = TopicApiAuthorization.wrap(api, handler, authorization, cache);
        }
        if (checked == null) {
            checked = GroupApiAuthorization.wrap(api, handler, authorization);
        }
        if (checked == null) {
            checked = TransactionApiAuthorization.wrap(api, handler, authorization);
        }
        if (checked == null) {
            checked = ConfigApiAuthorization.wrap(api, handler, authorization);
        }
        if (checked == null) {
            checked = PartitionApiAuthorization.wrap(api, handler, authorization);
        }
        if (checked == null) {
            checked = FindCoordinatorAuthorization.wrap(api, handler, authorization);
        }
        return checked;
    }
}
