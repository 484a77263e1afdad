package io.fjord.protocol.codec;

import io.fjord.protocol.message.ApiKey;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The version range of each API that kafka-clients 4.4.0 knows ({@code ApiKeys.oldestVersion()} to
 * {@code latestVersion()}, unstable versions excluded): the range a Fjord node advertises for an API it implements.
 * Stateless and thread-safe.
 */
public final class KafkaApiVersions {
    private KafkaApiVersions() {
    }

    public static short oldest(ApiKey apiKey) {
        return ApiKeys.forId(apiKey.id()).oldestVersion();
    }

    public static short latest(ApiKey apiKey) {
        return ApiKeys.forId(apiKey.id()).latestVersion();
    }
}
