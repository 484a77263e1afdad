package io.fjord.protocol.codec;

import io.fjord.protocol.message.ApiKey;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The version range of each API that kafka-clients 4.4.0 knows, up to its newest stable version: the range a Fjord
 * node advertises for an API it implements. A version the schemas mark unstable (InitProducerId v6, KIP-939 in 4.4)
 * is left out, as a Kafka 4.4 broker leaves it out by default ({@code unstable.api.versions.enable=false}); note that
 * kafka-clients' own {@code ApiKeys.latestVersion()} includes it. Stateless and thread-safe.
 */
public final class KafkaApiVersions {
    private KafkaApiVersions() {
    }

    public static short oldest(ApiKey apiKey) {
        return ApiKeys.forId(apiKey.id()).oldestVersion();
    }

    public static short latest(ApiKey apiKey) {
        return ApiKeys.forId(apiKey.id()).latestVersion(false);
    }
}
