package io.fjord.broker.fetch;

import static io.fjord.broker.fetch.FetchRequests.results;
import static io.fjord.broker.fetch.FetchRequests.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.ManualClock;
import io.fjord.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The slot bound and KIP-227's eviction policy. */
class FetchSessionCacheTest {
    private static final short VERSION = 17;
    private static final long EVICTION_MS = 1_000;
    private static final UUID TOPIC_ID = new UUID(7, 7);
    private static final Function<UUID, Optional<String>> NAMES = id -> Optional.of("topic");

    private final ManualClock clock = new ManualClock(0);
    private final FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS, clock, new SplittableRandom(1));
    private final FetchManager manager = new FetchManager(cache);

    /** A full fetch of {@code partitions} partitions; returns the session id the response carries (0 for none). */
    private int createSession(int partitions, int replicaId) {
        FetchRequests request = session(0, 0);
        for (int partition = 0; partition < partitions; partition++) {
            request.byId(TOPIC_ID, partition, 0);
        }
        if (replicaId >= 0) {
            request.follower(replicaId);
        }
        FetchContext context = manager.newContext(request.build(), VERSION, NAMES);
        return context.updateAndGenerateResponse(results(context, 10)).sessionId();
    }

    private Errors use(int sessionId, int epoch) {
        FetchContext context = manager.newContext(session(sessionId, epoch).build(), VERSION, NAMES);
        context.updateAndGenerateResponse(results(context, 10));
        return context.sessionError();
    }

    @Test
    void whenTheCacheIsFullOfFreshSessionsAConsumerGetsNoSession() {
        int first = createSession(3, -1);
        int second = createSession(3, -1);

        assertThat(createSession(10, -1)).as("fresh sessions are protected from consumers").isZero();

        assertThat(cache.size()).isEqualTo(2);
        assertThat(use(first, 1)).isEqualTo(Errors.NONE);
        assertThat(use(second, 1)).isEqualTo(Errors.NONE);
        assertThat(cache.evictions()).isZero();
    }

    @Test
    void staleSessionIsEvictedFirst() {
        int first = createSession(5, 1);
        clock.advance(600);
        int second = createSession(5, 2);
        clock.advance(500);
        assertThat(use(second, 1)).isEqualTo(Errors.NONE);
        clock.advance(1);

        // The first is unused for 1,101 ms > 1,000: stale, even though it is a large follower session.
        int third = createSession(1, -1);

        assertThat(third).isNotZero();
        assertThat(use(first, 1)).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(use(second, 2)).isEqualTo(Errors.NONE);
        assertThat(cache.evictions()).isEqualTo(1);
    }

    @Test
    void followerEvictsTheSmallestConsumerSessionAtAnyAge() {
        int small = createSession(1, -1);
        int large = createSession(4, -1);

        int follower = createSession(1, 3);

        assertThat(follower).isNotZero();
        assertThat(use(small, 1)).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(use(large, 1)).isEqualTo(Errors.NONE);
    }

    @Test
    void followerCannotEvictAFreshFollowerSession() {
        createSession(1, 1);
        createSession(1, 2);
        assertThat(createSession(50, 3)).isZero();
    }

    @Test
    void afterTheProtectionPeriodALargerSessionEvictsASmallerOne() {
        int small = createSession(2, -1);
        int larger = createSession(3, -1);
        clock.advance(EVICTION_MS + 1);
        // Keep both in use so neither is stale.
        assertThat(use(small, 1)).isEqualTo(Errors.NONE);
        assertThat(use(larger, 1)).isEqualTo(Errors.NONE);

        assertThat(createSession(2, -1)).as("an equal size is not worth more").isZero();
        int largest = createSession(4, -1);

        assertThat(largest).isNotZero();
        assertThat(use(small, 2)).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(use(larger, 2)).isEqualTo(Errors.NONE);
    }

    @Test
    void zeroSlotsMeansNoSessions() {
        FetchManager noSessions = new FetchManager(new FetchSessionCache(0, clock));
        FetchContext context = noSessions.newContext(session(0, 0).byId(TOPIC_ID, 0, 0).build(), VERSION, NAMES);
        assertThat(context.updateAndGenerateResponse(results(context, 1)).sessionId()).isZero();
    }

    @Test
    void manyThreadsNeverPassTheSlotBound() throws Exception {
        FetchSessionCache bounded = new FetchSessionCache(16, EVICTION_MS, clock, new SplittableRandom(2));
        FetchManager concurrent = new FetchManager(bounded);
        ExecutorService executor = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                int seed = thread;
                futures.add(executor.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    int errors = 0;
                    for (int round = 0; round < 500; round++) {
                        FetchRequests request = session(0, 0).byId(TOPIC_ID, random.nextInt(8), 0);
                        if (random.nextBoolean()) {
                            request.follower(seed);
                        }
                        FetchContext full = concurrent.newContext(request.build(), VERSION, NAMES);
                        int sessionId = full.updateAndGenerateResponse(results(full, 1)).sessionId();
                        clock.advance(1);
                        for (int epoch = 1; sessionId != 0 && epoch <= 3; epoch++) {
                            FetchContext next = concurrent.newContext(session(sessionId, epoch).build(), VERSION, NAMES);
                            next.updateAndGenerateResponse(results(next, epoch));
                            // Another thread may evict this session; nothing else may go wrong.
                            if (next.sessionError() != Errors.NONE
                                    && next.sessionError() != Errors.FETCH_SESSION_ID_NOT_FOUND) {
                                errors++;
                            }
                            if (next.sessionError() != Errors.NONE) {
                                break;
                            }
                        }
                        if (bounded.size() > 16) {
                            errors++;
                        }
                    }
                    return errors;
                }));
            }
            for (Future<Integer> future : futures) {
                assertThat(future.get(60, TimeUnit.SECONDS)).isZero();
            }
        } finally {
            executor.shutdownNow();
        }
        assertThat(bounded.size()).isLessThanOrEqualTo(16);
        assertThat(bounded.evictions()).isPositive();
        assertThat(bounded.totalPartitions()).isEqualTo(bounded.size());
    }
}
