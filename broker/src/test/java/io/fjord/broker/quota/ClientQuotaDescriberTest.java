package io.fjord.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DescribeClientQuotasRequestData;
import io.fjord.protocol.message.DescribeClientQuotasRequestData.ComponentData;
import io.fjord.protocol.message.DescribeClientQuotasResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClientQuotaDescriberTest {
    private static final Map<ClientQuotaEntity, Map<String, Double>> QUOTAS = Map.of(
            ClientQuotaEntity.of("user", "alice"), Map.of("producer_byte_rate", 1.0),
            ClientQuotaEntity.of("user", null), Map.of("producer_byte_rate", 2.0),
            ClientQuotaEntity.userAndClient("alice", "app"), Map.of("consumer_byte_rate", 3.0),
            ClientQuotaEntity.userAndClient("bob", null), Map.of("consumer_byte_rate", 4.0),
            ClientQuotaEntity.of("client-id", "app"), Map.of("request_percentage", 5.0),
            ClientQuotaEntity.of("ip", "10.0.0.1"), Map.of("connection_creation_rate", 6.0));

    private static ComponentData component(String type, byte matchType, String match) {
        return new ComponentData().setEntityType(type).setMatchType(matchType).setMatch(match);
    }

    private static DescribeClientQuotasResponseData describe(boolean strict, ComponentData... components) {
        return ClientQuotaDescriber.describe(QUOTAS, new DescribeClientQuotasRequestData()
                .setComponents(new ArrayList<>(List.of(components))).setStrict(strict));
    }

    /** The entities described, each as its type=name pairs. */
    private static List<String> entities(DescribeClientQuotasResponseData response) {
        assertThat(response.errorCode()).isZero();
        return response.entries().stream().map(entry -> entry.entity().stream()
                .map(entity -> entity.entityType() + "=" + entity.entityName()).collect(Collectors.joining(",")))
                .toList();
    }

    @Test
    void exactDefaultAndSpecifiedMatchesWithAndWithoutStrict() {
        assertThat(entities(describe(false, component("user", ClientQuotaDescriber.MATCH_EXACT, "alice"))))
                .containsExactlyInAnyOrder("user=alice", "client-id=app,user=alice");
        assertThat(entities(describe(true, component("user", ClientQuotaDescriber.MATCH_EXACT, "alice"))))
                .containsExactly("user=alice");
        assertThat(entities(describe(true, component("user", ClientQuotaDescriber.MATCH_DEFAULT, null))))
                .containsExactly("user=null");
        assertThat(entities(describe(false, component("user", ClientQuotaDescriber.MATCH_SPECIFIED, null))))
                .containsExactlyInAnyOrder("user=alice", "client-id=app,user=alice", "client-id=null,user=bob");
        assertThat(entities(describe(false, component("user", ClientQuotaDescriber.MATCH_SPECIFIED, null),
                component("client-id", ClientQuotaDescriber.MATCH_DEFAULT, null))))
                .containsExactly("client-id=null,user=bob");
        // No components, not strict: everything; strict: nothing (no entity has zero types).
        assertThat(entities(describe(false))).hasSize(QUOTAS.size());
        assertThat(entities(describe(true))).isEmpty();
        DescribeClientQuotasResponseData.EntryData alice = describe(true,
                component("user", ClientQuotaDescriber.MATCH_EXACT, "alice")).entries().get(0);
        assertThat(alice.values()).singleElement().satisfies(value -> {
            assertThat(value.key()).isEqualTo("producer_byte_rate");
            assertThat(value.value()).isEqualTo(1.0);
        });
    }

    @Test
    void badFiltersGetKafkasErrors() {
        assertThat(describe(false, component("user", ClientQuotaDescriber.MATCH_EXACT, null)).errorMessage())
                .isEqualTo("Request specified MATCH_TYPE_EXACT, but set match string to null.");
        assertThat(describe(false, component("user", ClientQuotaDescriber.MATCH_DEFAULT, "x")).errorCode())
                .isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(describe(false, component("user", ClientQuotaDescriber.MATCH_SPECIFIED, "x")).errorCode())
                .isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(describe(false, component("user", ClientQuotaDescriber.MATCH_SPECIFIED, null),
                component("user", ClientQuotaDescriber.MATCH_DEFAULT, null)).errorMessage())
                .contains("cannot appear more than once");
        assertThat(describe(false, component("group", ClientQuotaDescriber.MATCH_DEFAULT, null)).errorCode())
                .isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(describe(false, component("user", (byte) 7, null)).errorCode())
                .isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        DescribeClientQuotasResponseData mixed = describe(false, component("ip", ClientQuotaDescriber.MATCH_DEFAULT,
                null), component("user", ClientQuotaDescriber.MATCH_DEFAULT, null));
        assertThat(mixed.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(mixed.entries()).isNull();
    }
}
