package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.ImageReader;
import io.fjord.metadata.image.ImageWriter;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.metadata.records.ClientQuotaRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.MetadataRecordSerde;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterClientQuotasRequestData;
import io.fjord.protocol.message.AlterClientQuotasRequestData.EntityData;
import io.fjord.protocol.message.AlterClientQuotasRequestData.EntryData;
import io.fjord.protocol.message.AlterClientQuotasRequestData.OpData;
import io.fjord.protocol.message.AlterClientQuotasResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientQuotaControlTest {
    private final ClientQuotaControl control = new ClientQuotaControl();

    private static EntityData entity(String type, String name) {
        return new EntityData().setEntityType(type).setEntityName(name);
    }

    private static OpData set(String key, double value) {
        return new OpData().setKey(key).setValue(value);
    }

    private static OpData remove(String key) {
        return new OpData().setKey(key).setRemove(true);
    }

    private static EntryData entry(List<EntityData> entity, OpData... ops) {
        return new EntryData().setEntity(new ArrayList<>(entity)).setOps(new ArrayList<>(List.of(ops)));
    }

    private static AlterClientQuotasRequestData request(EntryData... entries) {
        return new AlterClientQuotasRequestData().setEntries(new ArrayList<>(List.of(entries)));
    }

    private static MetadataImage apply(MetadataImage image, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(image);
        records.forEach(record -> delta.replay(record, image.offset() + 1));
        return delta.apply();
    }

    private String error(EntryData entry) {
        AlterClientQuotasResponseData.EntryData answer = control.alterClientQuotas(MetadataImage.EMPTY,
                request(entry)).response().entries().get(0);
        assertThat(answer.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        return answer.errorMessage();
    }

    @Test
    void aUserQuotaIsOneRecordAndTheAnswerNamesTheEntity() {
        ControllerResult<AlterClientQuotasResponseData> result = control.alterClientQuotas(MetadataImage.EMPTY,
                request(entry(List.of(entity("user", "alice"), entity("client-id", null)),
                        set("producer_byte_rate", 1024), set("request_percentage", 12.5))));

        ClientQuotaEntity alice = ClientQuotaEntity.userAndClient("alice", null);
        assertThat(result.records()).containsExactlyInAnyOrder(
                new ClientQuotaRecord(alice, "producer_byte_rate", 1024, false),
                new ClientQuotaRecord(alice, "request_percentage", 12.5, false));
        AlterClientQuotasResponseData.EntryData answer = result.response().entries().get(0);
        assertThat(answer.errorCode()).isZero();
        assertThat(answer.errorMessage()).isNull();
        assertThat(answer.entity()).extracting(AlterClientQuotasResponseData.EntityData::entityName)
                .containsExactly("alice", null);
        assertThat(apply(MetadataImage.EMPTY, result.records()).clientQuotas())
                .isEqualTo(Map.of(alice, Map.of("producer_byte_rate", 1024.0, "request_percentage", 12.5)));
    }

    @Test
    void validateOnlyAnswersWithoutRecords() {
        AlterClientQuotasRequestData request = request(entry(List.of(entity("user", "alice")),
                set("consumer_byte_rate", 2048)), entry(List.of(entity("ip", "1.2.3.4")),
                set("producer_byte_rate", 1)));
        request.setValidateOnly(true);

        ControllerResult<AlterClientQuotasResponseData> result = control.alterClientQuotas(MetadataImage.EMPTY,
                request);

        assertThat(result.records()).isEmpty();
        assertThat(result.response().entries()).extracting(AlterClientQuotasResponseData.EntryData::errorCode)
                .containsExactly(Errors.NONE.code(), Errors.INVALID_REQUEST.code());
    }

    @Test
    void entitiesAreCheckedAsKafkaChecksThem() {
        assertThat(error(entry(List.of(), set("producer_byte_rate", 1)))).isEqualTo(
                "Invalid empty client quota entity");
        assertThat(error(entry(List.of(entity("user", "a"), entity("user", "b")), set("producer_byte_rate", 1))))
                .contains("duplicate entity entry user");
        assertThat(error(entry(List.of(entity("group", "g")), set("producer_byte_rate", 1))))
                .isEqualTo("Unhandled client quota entity type: group");
        assertThat(error(entry(List.of(entity("client-id", "")), set("producer_byte_rate", 1))))
                .isEqualTo("Empty client-id not supported");
        assertThat(error(entry(List.of(entity("ip", "1.2.3.4"), entity("user", "a")),
                set("connection_creation_rate", 1)))).contains("IP entity should not be combined");
        // Only address literals: a name that would need a DNS lookup is refused, never resolved.
        for (String notLiteral : List.of("example.com", "cafe", "999.1.1.1", "1.2.3", ":::zz")) {
            assertThat(error(entry(List.of(entity("ip", notLiteral)), set("connection_creation_rate", 1))))
                    .as(notLiteral).contains("not a valid IP");
        }
        assertThat(control.alterClientQuotas(MetadataImage.EMPTY, request(entry(List.of(entity("ip", "::1")),
                set("connection_creation_rate", 1)), entry(List.of(entity("ip", "10.0.0.255")),
                set("connection_creation_rate", 1)))).records()).hasSize(2);
    }

    @Test
    void keysAndValuesAreCheckedPerEntityType() {
        assertThat(error(entry(List.of(entity("user", "a")), set("connection_creation_rate", 1))))
                .isEqualTo("Invalid configuration key connection_creation_rate");
        assertThat(error(entry(List.of(entity("ip", null)), set("producer_byte_rate", 1))))
                .isEqualTo("Invalid configuration key producer_byte_rate");
        assertThat(error(entry(List.of(entity("user", "a")), set("producer_byte_rate", 0))))
                .isEqualTo("Quota producer_byte_rate must be greater than 0");
        assertThat(error(entry(List.of(entity("user", "a")), set("producer_byte_rate", 10.5))))
                .contains("fractional");
        assertThat(error(entry(List.of(entity("ip", "::1")), set("connection_creation_rate", 3e9))))
                .contains("too large for an INT");
        // A double key takes fractions; an entry's other valid keys do not apply when one is bad.
        assertThat(control.alterClientQuotas(MetadataImage.EMPTY, request(entry(List.of(entity("client-id", "c")),
                set("controller_mutation_rate", 0.5)))).records()).hasSize(1);
        assertThat(control.alterClientQuotas(MetadataImage.EMPTY, request(entry(List.of(entity("client-id", "c")),
                set("consumer_byte_rate", 100), set("producer_byte_rate", -1)))).records()).isEmpty();
    }

    @Test
    void anUnchangedValueOrAnAbsentKeyWritesNothingAndTheLastRemovalDropsTheEntity() {
        ClientQuotaEntity alice = ClientQuotaEntity.of("user", "alice");
        MetadataImage image = apply(MetadataImage.EMPTY, List.of(
                new ClientQuotaRecord(alice, "producer_byte_rate", 1024, false)));

        assertThat(control.alterClientQuotas(image, request(entry(List.of(entity("user", "alice")),
                set("producer_byte_rate", 1024), remove("consumer_byte_rate")))).records()).isEmpty();
        List<MetadataRecord> removal = control.alterClientQuotas(image, request(entry(
                List.of(entity("user", "alice")), remove("producer_byte_rate")))).records();
        assertThat(removal).containsExactly(new ClientQuotaRecord(alice, "producer_byte_rate", 0, true));
        assertThat(apply(image, removal).clientQuotas()).isEmpty();
    }

    @Test
    void quotasSurviveASnapshot() {
        MetadataImage image = apply(MetadataImage.EMPTY, List.of(
                new ClientQuotaRecord(ClientQuotaEntity.of("user", null), "producer_byte_rate", 10, false),
                new ClientQuotaRecord(ClientQuotaEntity.userAndClient("bob", "app"), "consumer_byte_rate", 20, false),
                new ClientQuotaRecord(ClientQuotaEntity.of("ip", null), "connection_creation_rate", 5, false)));

        List<MetadataRecord> snapshot = ImageWriter.write(image).stream()
                .map(record -> MetadataRecordSerde.read(MetadataRecordSerde.write(record))).toList();

        assertThat(ImageReader.read(snapshot)).isEqualTo(image);
        assertThat(ImageReader.read(snapshot).clientQuotas()).hasSize(3);
    }
}
