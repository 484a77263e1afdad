package io.fjord.broker.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.controller.ForwardingException;
import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AllocateProducerIdsRequestData;
import io.fjord.protocol.message.AllocateProducerIdsResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Producer id blocks from a fake controller channel: exhaustion, Kafka's prefetch, errors, backoff and retries. */
class ProducerIdManagerTest {
    private static final int BLOCK_SIZE = 1000;
    private final ManualClock clock = new ManualClock();
    private final FakeController controller = new FakeController();
    private final ProducerIdManager manager = new ProducerIdManager(7, () -> 42L, controller, clock);

    @Test
    void theFirstCallAnswersNotYetAndAsksTheControllerOnceWithTheNodeAndItsEpoch() {
        assertThat(manager.nextProducerId()).isEqualTo(ProducerIdSource.NONE);
        assertThat(manager.nextProducerId()).isEqualTo(ProducerIdSource.NONE);
        assertThat(controller.requests).hasSize(1);
        assertThat(controller.requests.get(0).brokerId()).isEqualTo(7);
        assertThat(controller.requests.get(0).brokerEpoch()).isEqualTo(42L);

        controller.grant(0, 5000, BLOCK_SIZE);

        assertThat(manager.nextProducerId()).isEqualTo(5000);
        assertThat(manager.nextProducerId()).isEqualTo(5001);
        assertThat(controller.requests).hasSize(1);
    }

    @Test
    void theNextBlockIsFetchedWhenTheIdAtNinetyPercentIsHandedOutAndFollowsWithoutAGap() {
        startWithBlock(0);
        for (int i = 1; i < 900; i++) {
            assertThat(manager.nextProducerId()).isEqualTo(i);
        }
        assertThat(controller.requests).as("no prefetch before 90 percent of the block").hasSize(1);
        assertThat(manager.nextProducerId()).isEqualTo(900);
        assertThat(controller.requests).hasSize(2);
        controller.grant(1, 1000, BLOCK_SIZE);
        for (int i = 901; i < 1000; i++) {
            assertThat(manager.nextProducerId()).isEqualTo(i);
        }
        assertThat(manager.nextProducerId()).isEqualTo(1000);
        assertThat(manager.isRequestInFlight()).as("the used block's request is done").isFalse();
        assertThat(controller.requests).hasSize(2);
    }

    @Test
    void anExhaustedBlockAnswersNotYetUntilTheNextBlockArrivesWithoutAskingTwice() {
        startWithBlock(0);
        for (int i = 1; i < 1000; i++) {
            manager.nextProducerId();
        }
        assertThat(controller.requests).hasSize(2);
        assertThat(manager.nextProducerId()).isEqualTo(ProducerIdSource.NONE);
        assertThat(manager.nextProducerId()).isEqualTo(ProducerIdSource.NONE);
        assertThat(controller.requests).hasSize(2);
        controller.grant(1, 1000, BLOCK_SIZE);
        assertThat(manager.nextProducerId()).isEqualTo(1000);
    }

    @Test
    void aControllerErrorIsRetriedByTheFirstCallerAfterTheBackoff() {
        manager.nextProducerId();
        controller.answer(0, new AllocateProducerIdsResponseData().setErrorCode(Errors.NOT_CONTROLLER.code())
                .setProducerIdStart(-1).setProducerIdLen(0));
        assertThat(manager.isRequestInFlight()).isFalse();

        clock.advance(ProducerIdManager.RETRY_BACKOFF_MS - 1);
        assertThat(manager.nextProducerId()).isEqualTo(ProducerIdSource.NONE);
        assertThat(controller.requests).as("within the backoff").hasSize(1);

        clock.advance(1);
        assertThat(manager.nextProducerId()).isEqualTo(ProducerIdSource.NONE);
        assertThat(controller.requests).hasSize(2);
        controller.grant(1, 3000, BLOCK_SIZE);
        assertThat(manager.nextProducerId()).isEqualTo(3000);
    }

    @Test
    void aStaleBrokerEpochAndAFailedSendAreRetriedAfterTheBackoff() {
        manager.nextProducerId();
        controller.answer(0, new AllocateProducerIdsResponseData().setErrorCode(Errors.STALE_BROKER_EPOCH.code()));
        clock.advance(ProducerIdManager.RETRY_BACKOFF_MS);
        manager.nextProducerId();
        assertThat(controller.requests).hasSize(2);
        controller.futures.get(1).completeExceptionally(new IllegalStateException("channel closed"));
        manager.nextProducerId();
        assertThat(controller.requests).as("a failed send backs off too").hasSize(2);
        clock.advance(ProducerIdManager.RETRY_BACKOFF_MS);
        manager.nextProducerId();
        assertThat(controller.requests).hasSize(3);
    }

    @Test
    void aTimedOutRequestIsRetriedByTheNextCallerAtOnce() {
        manager.nextProducerId();
        controller.futures.get(0).completeExceptionally(
                new ForwardingException(Errors.REQUEST_TIMED_OUT, "no answer from the controller"));
        assertThat(manager.nextProducerId()).isEqualTo(ProducerIdSource.NONE);
        assertThat(controller.requests).hasSize(2);
    }

    @Test
    void aBlockThatIsNotAfterTheCurrentOneOrNotAValidRangeIsRefusedAndAskedForAgain() {
        startWithBlock(5000);
        for (int i = 1; i <= 900; i++) {
            manager.nextProducerId();
        }
        // Overlapping the current block: refused.
        controller.grant(1, 5500, BLOCK_SIZE);
        assertThat(manager.isRequestInFlight()).isFalse();
        for (int i = 901; i < 1000; i++) {
            assertThat(manager.nextProducerId()).isEqualTo(5000 + i);
        }
        clock.advance(ProducerIdManager.RETRY_BACKOFF_MS);
        assertThat(manager.nextProducerId()).isEqualTo(ProducerIdSource.NONE);
        assertThat(controller.requests).hasSize(3);
        // A range past Long.MAX_VALUE: refused.
        controller.grant(2, Long.MAX_VALUE - 10, BLOCK_SIZE);
        clock.advance(ProducerIdManager.RETRY_BACKOFF_MS);
        assertThat(manager.nextProducerId()).isEqualTo(ProducerIdSource.NONE);
        assertThat(controller.requests).hasSize(4);
        controller.grant(3, 9000, BLOCK_SIZE);
        assertThat(manager.nextProducerId()).isEqualTo(9000);
    }

    @Test
    void concurrentCallersNeverGetTheSameId() throws Exception {
        AtomicLong nextStart = new AtomicLong();
        ProducerIdManager granting = new ProducerIdManager(1, () -> 1L, (api, request) ->
                CompletableFuture.completedFuture(new AllocateProducerIdsResponseData()
                        .setProducerIdStart(nextStart.getAndAdd(100)).setProducerIdLen(100)), InstantSource.system());
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> handedOut = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                handedOut.add(threads.submit(() -> {
                    int count = 0;
                    for (int call = 0; call < 5000; call++) {
                        long id = granting.nextProducerId();
                        if (id != ProducerIdSource.NONE) {
                            assertThat(ids.add(id)).as("id %d handed out twice", id).isTrue();
                            count++;
                        }
                    }
                    return count;
                }));
            }
            int total = 0;
            for (Future<Integer> count : handedOut) {
                total += count.get(60, TimeUnit.SECONDS);
            }
            assertThat(ids).hasSize(total).isNotEmpty();
        } finally {
            threads.shutdownNow();
        }
    }

    /** The manager holding block [first, first + 1000) with its first id handed out. */
    private void startWithBlock(long first) {
        manager.nextProducerId();
        controller.grant(0, first, BLOCK_SIZE);
        assertThat(manager.nextProducerId()).isEqualTo(first);
    }

    /** Records each AllocateProducerIds request; the test completes its future. */
    private static final class FakeController implements ControllerChannel {
        final List<AllocateProducerIdsRequestData> requests = new ArrayList<>();
        final List<CompletableFuture<ApiMessage>> futures = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<ApiMessage> send(ApiKey api, ApiMessage request) {
            assertThat(api).isEqualTo(ApiKey.ALLOCATE_PRODUCER_IDS);
            requests.add((AllocateProducerIdsRequestData) request);
            CompletableFuture<ApiMessage> future = new CompletableFuture<>();
            futures.add(future);
            return future;
        }

        void grant(int request, long start, int length) {
            answer(request, new AllocateProducerIdsResponseData().setProducerIdStart(start).setProducerIdLen(length));
        }

        void answer(int request, AllocateProducerIdsResponseData response) {
            assertThat(futures.get(request).complete(response)).as("request %d answered once", request).isTrue();
        }
    }

    private static final class ManualClock implements InstantSource {
        private long nowMs = 1_000_000L;

        void advance(long ms) {
            nowMs += ms;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(nowMs);
        }
    }
}
