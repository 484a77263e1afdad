package io.fjord.metadata.controller;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.metadata.quota.ClientQuotaKeys;
import io.fjord.metadata.quota.IpLiterals;
import io.fjord.metadata.records.ClientQuotaRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterClientQuotasRequestData;
import io.fjord.protocol.message.AlterClientQuotasResponseData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * AlterClientQuotas (API 49, {@code kafka-configs --alter --entity-type users|clients|ips --add-config
 * producer_byte_rate=...}) on the active controller, Kafka 4.4's ClientQuotaControlManager rules, as a pure function of
 * the image. Each entry is checked on its own and answered with its entity: an empty entity, an entity type named
 * twice, an unknown type, an empty name, an ip that is not an address literal, an ip combined with a user or client id,
 * an unknown key for the entity, a value not above 0, a fractional or too large value of an integral key are
 * INVALID_REQUEST (Kafka's messages), and nothing of that entry changes; the other entries still apply. A key set to
 * the value it has, or removed while absent, writes no record. All records of the request commit together (one
 * operation); {@code validate_only} answers without records.
 *
 * <p>Unlike Kafka, an ip entity's name must be an address literal: resolving a host name would make the decision depend
 * on DNS (no longer a pure function) and stall the controller's thread.
 *
 * <p>Stateless; thread-safe.
 */
public final class ClientQuotaControl {
    /** An entry's outcome: its error (NONE when it applies) and records. */
    private record Outcome(Errors error, String message, List<MetadataRecord> records) {
        static Outcome invalid(String message) {
            return new Outcome(Errors.INVALID_REQUEST, message, List.of());
        }
    }

    public ControllerResult<AlterClientQuotasResponseData> alterClientQuotas(MetadataImage image,
            AlterClientQuotasRequestData request) {
        AlterClientQuotasResponseData response = new AlterClientQuotasResponseData();
        List<MetadataRecord> records = new ArrayList<>();
        for (AlterClientQuotasRequestData.EntryData entry : request.entries()) {
            Outcome outcome = alter(image, entry);
            if (!request.validateOnly()) {
                records.addAll(outcome.records());
            }
            AlterClientQuotasResponseData.EntryData answer = new AlterClientQuotasResponseData.EntryData()
                    .setErrorCode(outcome.error().code()).setErrorMessage(outcome.message());
            entry.entity().forEach(entity -> answer.entity().add(new AlterClientQuotasResponseData.EntityData()
                    .setEntityType(entity.entityType()).setEntityName(entity.entityName())));
            response.entries().add(answer);
        }
        return new ControllerResult<>(records, response);
    }

    private static Outcome alter(MetadataImage image, AlterClientQuotasRequestData.EntryData entry) {
        if (entry.entity().isEmpty()) {
            return Outcome.invalid("Invalid empty client quota entity");
        }
        TreeMap<String, String> entries = new TreeMap<>();
        for (AlterClientQuotasRequestData.EntityData entity : entry.entity()) {
            String type = entity.entityType();
            String name = entity.entityName();
            if (type == null || entries.containsKey(type)) {
                return Outcome.invalid("Invalid empty client quota entity, duplicate entity entry " + type);
            }
            if (!type.equals(ClientQuotaEntity.USER) && !type.equals(ClientQuotaEntity.CLIENT_ID)
                    && !type.equals(ClientQuotaEntity.IP)) {
                return Outcome.invalid("Unhandled client quota entity type: " + type);
            }
            if (name != null && name.isEmpty()) {
                return Outcome.invalid("Empty " + type + " not supported");
            }
            if (type.equals(ClientQuotaEntity.IP) && name != null && IpLiterals.parse(name).isEmpty()) {
                return Outcome.invalid(name + " is not a valid IP or resolvable host.");
            }
            entries.put(type, name);
        }
        if (entries.containsKey(ClientQuotaEntity.IP) && entries.size() > 1) {
            return Outcome.invalid("Invalid quota entity combination, IP entity should not be combined with User or "
                    + "ClientId");
        }
        Map<String, ClientQuotaKeys.ValueType> validKeys = entries.containsKey(ClientQuotaEntity.IP)
                ? ClientQuotaKeys.IP_KEYS : ClientQuotaKeys.USER_AND_CLIENT_KEYS;
        ClientQuotaEntity entity = new ClientQuotaEntity(entries);
        Map<String, Double> current = image.clientQuotas().getOrDefault(entity, Map.of());
        // Kafka reads the operations into a map: a key named twice takes its last operation.
        Map<String, AlterClientQuotasRequestData.OpData> operations = new LinkedHashMap<>();
        entry.ops().forEach(op -> operations.put(op.key(), op));
        List<MetadataRecord> records = new ArrayList<>();
        for (AlterClientQuotasRequestData.OpData op : operations.values()) {
            if (op.remove()) {
                if (current.containsKey(op.key())) {
                    records.add(new ClientQuotaRecord(entity, op.key(), 0, true));
                }
                continue;
            }
            String invalid = invalidValue(validKeys, op.key(), op.value());
            if (invalid != null) {
                return Outcome.invalid(invalid);
            }
            if (!Objects.equals(current.get(op.key()), op.value())) {
                records.add(new ClientQuotaRecord(entity, op.key(), op.value(), false));
            }
        }
        return new Outcome(Errors.NONE, null, records);
    }

    /** Kafka's check of one value; null when it is acceptable. */
    private static String invalidValue(Map<String, ClientQuotaKeys.ValueType> validKeys, String key, double value) {
        ClientQuotaKeys.ValueType type = validKeys.get(key);
        if (type == null) {
            return "Invalid configuration key " + key;
        }
        if (!(value > 0.0)) {
            return "Quota " + key + " must be greater than 0";
        }
        if (type == ClientQuotaKeys.ValueType.DOUBLE) {
            return Double.isInfinite(value) ? "Quota " + key + " must be finite" : null;
        }
        if (value > type.largest()) {
            return "Proposed value for " + key + " is too large for " + (type == ClientQuotaKeys.ValueType.INT
                    ? "an " : "a ") + type + ".";
        }
        if (value != Math.floor(value)) {
            return key + " cannot be a fractional value.";
        }
        return null;
    }
}
