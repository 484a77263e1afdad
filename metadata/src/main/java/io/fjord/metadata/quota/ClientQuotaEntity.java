package io.fjord.metadata.quota;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Whom a client quota applies to, Kafka's {@code ClientQuotaEntity}: entity types ({@value #USER},
 * {@value #CLIENT_ID}, {@value #IP}) with a name each, a null name standing for the type's default ({@code <default>}
 * in {@code kafka-configs}). Kafka's combinations are user, client-id, user with client-id, and ip; the controller
 * checks them ({@code ClientQuotaControl}). Immutable; ordered by its entries' text, so snapshots list entities in a
 * fixed order.
 *
 * @param entries entity type to name (null: the default), sorted by type
 */
public record ClientQuotaEntity(SortedMap<String, String> entries) implements Comparable<ClientQuotaEntity> {
    public static final String USER = "user";
    public static final String CLIENT_ID = "client-id";
    public static final String IP = "ip";

    public ClientQuotaEntity {
        Objects.requireNonNull(entries, "entries");
        entries.keySet().forEach(type -> Objects.requireNonNull(type, "entity type"));
        entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /** An entity of the given types and names (null names: defaults). */
    public static ClientQuotaEntity of(Map<String, String> entries) {
        return new ClientQuotaEntity(new TreeMap<>(entries));
    }

    /** An entity of one type and name (null: the default). */
    public static ClientQuotaEntity of(String type, String name) {
        TreeMap<String, String> entries = new TreeMap<>();
        entries.put(type, name);
        return new ClientQuotaEntity(entries);
    }

    /** An entity of a user and a client id (each null for its default). */
    public static ClientQuotaEntity userAndClient(String user, String clientId) {
        TreeMap<String, String> entries = new TreeMap<>();
        entries.put(USER, user);
        entries.put(CLIENT_ID, clientId);
        return new ClientQuotaEntity(entries);
    }

    @Override
    public int compareTo(ClientQuotaEntity other) {
        return toString().compareTo(other.toString());
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        entries.forEach((type, name) -> text.append(text.length() == 0 ? "" : ",").append(type).append('=')
                .append(name == null ? "<default>" : name));
        return text.toString();
    }
}
