package io.fjord.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.network.ConnectionThrottle;
import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.quota.ClientQuotaEntity;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumerFetchThrottleTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(50_000));

    private final ClientQuotas quotas = new ClientQuotas(11, 1000);
    private final ConsumerFetchThrottle throttle = new ConsumerFetchThrottle(quotas, CLOCK);
    private final RequestContext alice = new RequestContext(1, "PLAINTEXT", new InetSocketAddress(9092), 0,
            Principal.user("alice"), new ConnectionThrottle());

    @Test
    void aFetchOverTheByteRateIsThrottledAndItsBytesUnrecorded() {
        quotas.update(Map.of(ClientQuotaEntity.of("user", "alice"), Map.of("consumer_byte_rate", 1000.0)));

        assertThat(throttle.recordAndGetThrottleTimeMs(alice, "app", 10_000)).isZero();
        // 15,000 bytes over the assumed 10 s: 1,500/s against 1,000/s, 5 s; answered empty, so not counted.
        assertThat(throttle.recordAndGetThrottleTimeMs(alice, "app", 5_000)).isEqualTo(5_000);
        assertThat(quotas.fetch().throttleTimeMs("alice", "app", CLOCK.millis())).isZero();
        // A smaller fetch that fits is answered with its records.
        assertThat(throttle.recordAndGetThrottleTimeMs(alice, "app", 0)).isZero();
    }

    @Test
    void aClientOverItsRequestQuotaIsAnsweredEmptyToo() {
        quotas.update(Map.of(ClientQuotaEntity.of("user", "alice"), Map.of("request_percentage", 1.0,
                "consumer_byte_rate", 1_000_000.0)));
        // 0.5 s of handler time over the assumed 10 s: 5 % against 1 %, bounded by one window.
        quotas.request().recordAndGetThrottleTimeMs("alice", "app", 500_000_000L, CLOCK.millis());

        assertThat(throttle.recordAndGetThrottleTimeMs(alice, "app", 100)).isEqualTo(1_000);
        assertThat(quotas.fetch().throttleTimeMs("alice", "app", CLOCK.millis())).isZero();
    }

    @Test
    void withoutAQuotaNothingIsThrottled() {
        assertThat(throttle.recordAndGetThrottleTimeMs(alice, "app", 1L << 40)).isZero();
    }
}
