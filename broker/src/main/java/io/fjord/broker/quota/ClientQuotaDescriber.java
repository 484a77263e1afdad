package io.fjord.broker.quota;

import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DescribeClientQuotasRequestData;
import io.fjord.protocol.message.DescribeClientQuotasResponseData;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * DescribeClientQuotas (API 48) over the quotas of a metadata image, Kafka 4.4's filter rules: each component names an
 * entity type ({@code user}, {@code client-id}, {@code ip}) at most once and matches it exactly (match type 0, a
 * name), as the default (1, no name) or as any named entity (2, no name); an entity qualifies when it has every type
 * filtered with a matching name, and, with {@code strict}, no other type. A bad filter is answered with Kafka's error
 * and message (INVALID_REQUEST, or UNSUPPORTED_VERSION for an unknown type or match type); an ip component cannot be
 * combined with a user or client-id one. Entities come in a fixed order.
 *
 * <p>Stateless; thread-safe.
 */
public final class ClientQuotaDescriber {
    public static final byte MATCH_EXACT = 0;
    public static final byte MATCH_DEFAULT = 1;
    public static final byte MATCH_SPECIFIED = 2;

    /** A filter Kafka refuses, with its error. */
    private static final class FilterException extends Exception {
        private final Errors error;

        FilterException(Errors error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    private ClientQuotaDescriber() {
    }

    public static DescribeClientQuotasResponseData describe(Map<ClientQuotaEntity, Map<String, Double>> quotas,
            DescribeClientQuotasRequestData request) {
        Map<String, String> exact = new HashMap<>();
        Set<String> specified = new HashSet<>();
        try {
            readFilter(request, exact, specified);
        } catch (FilterException e) {
            return new DescribeClientQuotasResponseData().setErrorCode(e.error.code()).setErrorMessage(e.getMessage())
                    .setEntries(null);
        }
        DescribeClientQuotasResponseData response = new DescribeClientQuotasResponseData().setErrorMessage(null);
        new TreeMap<>(quotas).forEach((entity, values) -> {
            if (matches(entity, exact, specified, request.strict())) {
                DescribeClientQuotasResponseData.EntryData entry = new DescribeClientQuotasResponseData.EntryData();
                entity.entries().forEach((type, name) -> entry.entity().add(
                        new DescribeClientQuotasResponseData.EntityData().setEntityType(type).setEntityName(name)));
                new TreeMap<>(values).forEach((key, value) -> entry.values().add(
                        new DescribeClientQuotasResponseData.ValueData().setKey(key).setValue(value)));
                response.entries().add(entry);
            }
        });
        return response;
    }

    private static void readFilter(DescribeClientQuotasRequestData request, Map<String, String> exact,
            Set<String> specified) throws FilterException {
        for (DescribeClientQuotasRequestData.ComponentData component : request.components()) {
            String type = component.entityType();
            if (type == null || type.isEmpty()) {
                throw new FilterException(Errors.INVALID_REQUEST, "Invalid empty entity type.");
            }
            if (exact.containsKey(type) || specified.contains(type)) {
                throw new FilterException(Errors.INVALID_REQUEST, "Entity type " + type
                        + " cannot appear more than once in the filter.");
            }
            if (!type.equals(ClientQuotaEntity.USER) && !type.equals(ClientQuotaEntity.CLIENT_ID)
                    && !type.equals(ClientQuotaEntity.IP)) {
                throw new FilterException(Errors.UNSUPPORTED_VERSION, "Unsupported entity type " + type);
            }
            switch (component.matchType()) {
                case MATCH_EXACT -> {
                    if (component.match() == null) {
                        throw new FilterException(Errors.INVALID_REQUEST,
                                "Request specified MATCH_TYPE_EXACT, but set match string to null.");
                    }
                    exact.put(type, component.match());
                }
                case MATCH_DEFAULT -> {
                    if (component.match() != null) {
                        throw new FilterException(Errors.INVALID_REQUEST,
                                "Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
                    }
                    exact.put(type, null);
                }
                case MATCH_SPECIFIED -> {
                    if (component.match() != null) {
                        throw new FilterException(Errors.INVALID_REQUEST,
                                "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
                    }
                    specified.add(type);
                }
                default -> throw new FilterException(Errors.UNSUPPORTED_VERSION,
                        "Unknown match type " + component.matchType());
            }
        }
        boolean ip = exact.containsKey(ClientQuotaEntity.IP) || specified.contains(ClientQuotaEntity.IP);
        boolean userOrClient = exact.containsKey(ClientQuotaEntity.USER) || specified.contains(ClientQuotaEntity.USER)
                || exact.containsKey(ClientQuotaEntity.CLIENT_ID) || specified.contains(ClientQuotaEntity.CLIENT_ID);
        if (ip && userOrClient) {
            throw new FilterException(Errors.INVALID_REQUEST, "Invalid entity filter component combination, IP "
                    + "filter component should not be used with user or clientId filter component.");
        }
    }

    private static boolean matches(ClientQuotaEntity entity, Map<String, String> exact, Set<String> specified,
            boolean strict) {
        Map<String, String> entries = entity.entries();
        if (strict && entries.size() != exact.size() + specified.size()) {
            return false;
        }
        for (Map.Entry<String, String> wanted : exact.entrySet()) {
            if (!entries.containsKey(wanted.getKey()) || !Objects.equals(entries.get(wanted.getKey()),
                    wanted.getValue())) {
                return false;
            }
        }
        for (String type : specified) {
            if (!entries.containsKey(type) || entries.get(type) == null) {
                return false;
            }
        }
        return true;
    }
}
