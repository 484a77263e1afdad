package io.fjord.protocol.codec;

import io.fjord.protocol.message.ApiKey;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The version range of each API that kafka-clients 4.4.0 knows, up to its newest stable version: the range a Fjord
 * node serves for an API it implements. A version the schemas mark unstable (InitProducerId v6, KIP-939 in 4.4)
 * is left out, as a Kafka 4.4 broker leaves it out by default ({@code unstable.api.versions.enable=false}); note that
 * kafka-clients' own {@code ApiKeys.latestVersion()} includes it. Stateless and thread-safe.
 */
public final class KafkaApiVersions {
    private KafkaApiVersions() {
    }

    /** The oldest version served: older ones are refused by closing the connection, as Kafka does. */
    public static short oldest(ApiKey apiKey) {
        return ApiKeys.forId(apiKey.id()).oldestVersion();
    }

    public static short latest(ApiKey apiKey) {
        return ApiKeys.forId(apiKey.id()).latestVersion(false);
    }

    /**
     * The oldest version ApiVersions lists on a broker listener, which is not always the oldest served: Kafka 4.4
     * lists Produce from v0 although it refuses v0-2 (removed by KIP-896), because older librdkafka (Debian's 2.0.2
     * among them; librdkafka issue 4956) sends gzip, snappy and lz4 batches uncompressed unless Produce v0-2 are
     * listed (KAFKA-18659). Taken from kafka-clients' own rule, so it follows Kafka if that rule changes.
     */
    public static short oldestAdvertised(ApiKey apiKey) {
        return ApiKeys.forId(apiKey.id()).toApiVersionForApiResponse(false, ApiMessageType.ListenerType.BROKER)
                .map(ApiVersionsResponseData.ApiVersion::minVersion)
                .orElse(oldest(apiKey));
    }
}
