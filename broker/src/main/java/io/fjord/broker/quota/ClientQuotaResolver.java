package io.fjord.broker.quota;

import io.fjord.metadata.quota.ClientQuotaEntity;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the quota that applies to a client's user and client id for one key, in Kafka's order of precedence (the
 * first entity that sets the key wins):
 * <ol>
 * <li>{@code /config/users/<user>/clients/<client-id>}</li>
 * <li>{@code /config/users/<user>/clients/<default>}</li>
 * <li>{@code /config/users/<user>}</li>
 * <li>{@code /config/users/<default>/clients/<client-id>}</li>
 * <li>{@code /config/users/<default>/clients/<default>}</li>
 * <li>{@code /config/users/<default>}</li>
 * <li>{@code /config/clients/<client-id>}</li>
 * <li>{@code /config/clients/<default>}</li>
 * </ol>
 * The match also says who shares the measured rate, as Kafka's quota metric tags do: the user part is the client's
 * user when the entity has a user (named or default), else empty; the client part likewise. So all clients of
 * {@code /config/users/alice} share one rate, and each user under {@code /config/users/<default>} has its own.
 *
 * <p>Stateless; thread-safe.
 */
public final class ClientQuotaResolver {
    /** Who shares a rate (Kafka's {@code user} and {@code client-id} metric tags; "" when not part of it). */
    public record SensorKey(String user, String clientId) {
    }

    /** The quota found: its bound and who shares its rate. */
    public record QuotaMatch(SensorKey sensorKey, double bound) {
    }

    private ClientQuotaResolver() {
    }

    /** The quota of {@code key} for {@code user} and {@code clientId}, if any entity sets it. */
    public static Optional<QuotaMatch> resolve(Map<ClientQuotaEntity, Map<String, Double>> quotas, String key,
            String user, String clientId) {
        if (quotas.isEmpty()) {
            return Optional.empty();
        }
        List<ClientQuotaEntity> order = List.of(ClientQuotaEntity.userAndClient(user, clientId),
                ClientQuotaEntity.userAndClient(user, null), ClientQuotaEntity.of(ClientQuotaEntity.USER, user),
                ClientQuotaEntity.userAndClient(null, clientId), ClientQuotaEntity.userAndClient(null, null),
                ClientQuotaEntity.of(ClientQuotaEntity.USER, null),
                ClientQuotaEntity.of(ClientQuotaEntity.CLIENT_ID, clientId),
                ClientQuotaEntity.of(ClientQuotaEntity.CLIENT_ID, null));
        for (ClientQuotaEntity entity : order) {
            Double bound = quotas.getOrDefault(entity, Map.of()).get(key);
            if (bound != null) {
                boolean hasUser = entity.entries().containsKey(ClientQuotaEntity.USER);
                boolean hasClient = entity.entries().containsKey(ClientQuotaEntity.CLIENT_ID);
                return Optional.of(new QuotaMatch(new SensorKey(hasUser ? user : "", hasClient ? clientId : ""),
                        bound));
            }
        }
        return Optional.empty();
    }
}
