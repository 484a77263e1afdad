package io.fjord.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.quota.ClientQuotaEntity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControllerMutationQuotaTest {
    private static final long NOW_MS = 1_000_000;

    private final ControllerMutationQuotaManager manager = new ControllerMutationQuotaManager();

    private ControllerMutationQuota quota(String user, short version, long nowMs) {
        return manager.newQuotaFor(user, "app", version, (short) 6, nowMs);
    }

    @Test
    void aClientWithoutAQuotaIsUnbounded() {
        ControllerMutationQuota quota = quota("alice", (short) 7, NOW_MS);
        assertThat(quota.bounded()).isFalse();
        assertThat(quota.tryRecord(1_000_000, NOW_MS)).isTrue();
        assertThat(quota.throttleTimeMs(NOW_MS)).isZero();
    }

    @Test
    void strictAdmitsWhileCreditsAreNotNegativeThenRefusesWithTheTimeToClimbBackToZero() {
        // 2 partitions/s: a burst of 2 * 10 s = 20 credits, full at first use.
        manager.update(Map.of(ClientQuotaEntity.of("user", "alice"), Map.of("controller_mutation_rate", 2.0)));
        ControllerMutationQuota strict = quota("alice", (short) 6, NOW_MS);
        assertThat(strict.tryRecord(15, NOW_MS)).isTrue();
        // 5 credits left: admitted although it takes the credits to -25 (Kafka checks before recording).
        assertThat(strict.tryRecord(30, NOW_MS)).isTrue();
        assertThat(strict.throttleTimeMs(NOW_MS)).isZero();
        assertThat(strict.tryRecord(1, NOW_MS)).isFalse();
        // -25 credits at 2/s: 12.5 s, less the time since the refusal.
        assertThat(strict.throttleTimeMs(NOW_MS)).isEqualTo(12_500);
        assertThat(strict.throttleTimeMs(NOW_MS + 500)).isEqualTo(12_000);

        // The next request shares the bucket; after 12.5 s the credits are back to zero and it is admitted.
        assertThat(quota("alice", (short) 6, NOW_MS + 12_000).tryRecord(1, NOW_MS + 12_000)).isFalse();
        assertThat(quota("alice", (short) 6, NOW_MS + 12_500).tryRecord(1, NOW_MS + 12_500)).isTrue();
    }

    @Test
    void permissiveAcceptsEverythingAndThrottlesBelowZero() {
        manager.update(Map.of(ClientQuotaEntity.of("user", null), Map.of("controller_mutation_rate", 1.0)));
        ControllerMutationQuota permissive = quota("bob", (short) 5, NOW_MS);
        assertThat(permissive.tryRecord(10, NOW_MS)).isTrue();
        assertThat(permissive.throttleTimeMs(NOW_MS)).isZero();
        assertThat(permissive.tryRecord(4, NOW_MS)).isTrue();
        // 10 credits - 14 = -4 at 1/s: 4 s.
        assertThat(permissive.throttleTimeMs(NOW_MS)).isEqualTo(4_000);
        // Each user under the default user has a bucket of its own.
        assertThat(quota("carol", (short) 5, NOW_MS).tryRecord(10, NOW_MS)).isTrue();
    }

    @Test
    void creditsRefillUpToTheBurstOnly() {
        manager.update(Map.of(ClientQuotaEntity.of("client-id", "app"), Map.of("controller_mutation_rate", 1.0)));
        assertThat(quota("alice", (short) 6, NOW_MS).tryRecord(10, NOW_MS)).isTrue();
        // An hour later the bucket holds 10 credits, not 3,600.
        ControllerMutationQuota later = quota("alice", (short) 5, NOW_MS + 3_600_000);
        later.tryRecord(11, NOW_MS + 3_600_000);
        assertThat(later.throttleTimeMs(NOW_MS + 3_600_000)).isEqualTo(1_000);
    }
}
