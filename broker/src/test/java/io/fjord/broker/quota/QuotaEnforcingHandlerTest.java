package io.fjord.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.network.ConnectionThrottle;
import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.ProduceRequestData;
import io.fjord.protocol.message.ProduceResponseData;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class QuotaEnforcingHandlerTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(50_000));

    private final ClientQuotas quotas = new ClientQuotas(11, 1000);
    private final ConnectionThrottle throttle = new ConnectionThrottle();
    private final RequestContext alice = new RequestContext(1, "PLAINTEXT", new InetSocketAddress(9092), 0,
            Principal.user("alice"), throttle);

    private static DecodedRequest request(ApiKey api, ApiMessage body, int sizeBytes) {
        return new DecodedRequest(api, (short) 9, 1, "app", (short) 2, body, sizeBytes);
    }

    private ApiHandler enforcing(ApiKey api, ApiHandler handler) {
        return QuotaEnforcingHandler.wrapAll(Map.of(api, handler), quotas, CLOCK, () -> 0L).get(api);
    }

    @Test
    void aProduceOverItsByteRateIsAnsweredAtOnceWithItsThrottleAndMutesTheConnection() {
        quotas.update(Map.of(ClientQuotaEntity.of("user", "alice"), Map.of("producer_byte_rate", 1000.0)));
        ApiHandler produce = enforcing(ApiKey.PRODUCE,
                (context, request) -> CompletableFuture.completedFuture(new ProduceResponseData()));

        ProduceResponseData within = (ProduceResponseData) produce.handle(alice,
                request(ApiKey.PRODUCE, new ProduceRequestData(), 10_000)).toCompletableFuture().join();
        assertThat(within.throttleTimeMs()).isZero();
        assertThat(throttle.takeMuteMs()).isZero();

        // 15,000 bytes over the assumed 10 s: 1,500/s against 1,000/s, throttled 5 s.
        ProduceResponseData over = (ProduceResponseData) produce.handle(alice,
                request(ApiKey.PRODUCE, new ProduceRequestData(), 5_000)).toCompletableFuture().join();
        assertThat(over.throttleTimeMs()).isEqualTo(5_000);
        assertThat(throttle.takeMuteMs()).isEqualTo(5_000);
    }

    @Test
    void aPreKip219VersionIsAlsoAnsweredAtOnceAndMutedAsKafka4Does() {
        // Produce v3 is below Kafka's shouldClientThrottle version (6): Kafka 2.0+ still answers at once with the
        // throttle time and mutes the connection (RequestHandlerHelper), rather than holding the response back.
        quotas.update(Map.of(ClientQuotaEntity.of("user", "alice"), Map.of("producer_byte_rate", 1000.0)));
        ApiHandler produce = enforcing(ApiKey.PRODUCE,
                (context, request) -> CompletableFuture.completedFuture(new ProduceResponseData()));

        CompletableFuture<ApiMessage> answer = produce.handle(alice, new DecodedRequest(ApiKey.PRODUCE, (short) 3, 1,
                "app", (short) 1, new ProduceRequestData(), 15_000)).toCompletableFuture();

        assertThat(answer).isCompleted();
        assertThat(((ProduceResponseData) answer.join()).throttleTimeMs()).isEqualTo(5_000);
        assertThat(throttle.takeMuteMs()).isEqualTo(5_000);
    }

    @Test
    void anAcksZeroProduceHasNoResponseButIsStillMuted() {
        quotas.update(Map.of(ClientQuotaEntity.of("user", "alice"), Map.of("producer_byte_rate", 100.0)));
        ApiHandler produce = enforcing(ApiKey.PRODUCE, (context, request) -> CompletableFuture.completedFuture(null));

        assertThat(produce.handle(alice, request(ApiKey.PRODUCE, new ProduceRequestData().setAcks((short) 0),
                2_000)).toCompletableFuture().join()).isNull();

        // 2,000 bytes over the assumed 10 s: 200/s against 100/s, muted 10 s.
        assertThat(throttle.takeMuteMs()).isEqualTo(10_000);
    }

    @Test
    void aConsumerFetchIsCappedToTheQuotaWindowAndFollowerFetchesAreExempt() {
        quotas.update(Map.of(ClientQuotaEntity.of("client-id", null), Map.of("consumer_byte_rate", 100.0)));
        AtomicReference<FetchRequestData> seen = new AtomicReference<>();
        ApiHandler fetch = enforcing(ApiKey.FETCH, (context, request) -> {
            seen.set((FetchRequestData) request.body());
            return CompletableFuture.completedFuture(new FetchResponseData());
        });

        fetch.handle(alice, request(ApiKey.FETCH, new FetchRequestData().setMaxBytes(50 * 1024 * 1024)
                .setMinBytes(5000), 100)).toCompletableFuture().join();
        // Kafka's rule: no more than the quota over all windows but the current one (100/s * 10 s).
        assertThat(seen.get().maxBytes()).isEqualTo(1000);
        assertThat(seen.get().minBytes()).isEqualTo(1000);

        // A v9 request (request(...)): the follower's replica id is in the body (ReplicaState comes with v15).
        FetchRequestData follower = new FetchRequestData().setMaxBytes(50 * 1024 * 1024).setReplicaId(2);
        fetch.handle(alice, request(ApiKey.FETCH, follower, 100)).toCompletableFuture().join();
        assertThat(seen.get().maxBytes()).isEqualTo(50 * 1024 * 1024);
    }

    @Test
    void requestTimeCountsAgainstTheRequestPercentage() {
        quotas.update(Map.of(ClientQuotaEntity.of("user", null), Map.of("request_percentage", 1.0)));
        long[] nanos = {0};
        ApiHandler metadata = QuotaEnforcingHandler.wrapAll(Map.of(ApiKey.METADATA, (context, request) -> {
            nanos[0] += 500_000_000L; // the handler takes 0.5 s of its thread
            return CompletableFuture.completedFuture(new io.fjord.protocol.message.MetadataResponseData());
        }), quotas, CLOCK, () -> nanos[0]).get(ApiKey.METADATA);

        io.fjord.protocol.message.MetadataResponseData response = (io.fjord.protocol.message.MetadataResponseData)
                metadata.handle(alice, request(ApiKey.METADATA, new io.fjord.protocol.message.MetadataRequestData(),
                        50)).toCompletableFuture().join();

        // 5 % of a thread against 1 %: throttled, bounded by one window.
        assertThat(response.throttleTimeMs()).isEqualTo(1_000);
        assertThat(throttle.takeMuteMs()).isEqualTo(1_000);
    }
}
