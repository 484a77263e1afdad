package io.fjord.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.handlers.ApiHandler;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.codec.RequestDecoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.protocol.message.FetchRequestData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.junit.jupiter.api.Test;

/**
 * The versions a node lists and the versions it serves. They are the same range for every API but Produce, which
 * Kafka 4.4 lists from v0 and serves from v3 (KAFKA-18659): librdkafka 2.0.2 (Debian's kcat) otherwise sends its
 * gzip, snappy and lz4 batches uncompressed. Facts seen on Kafka 4.4.0: ApiVersions lists Produce 0-13, and a Produce
 * v0, v1 or v2 request gets no response: the broker logs an UnsupportedVersionException and closes the connection.
 */
class BrokerDispatcherTest {
    private static final ApiHandler UNUSED = (context, request) -> CompletableFuture.completedFuture(null);

    private static BrokerDispatcher dispatcherServingEveryApi() {
        Map<ApiKey, ApiHandler> handlers = new EnumMap<>(ApiKey.class);
        for (ApiKey apiKey : ApiKey.values()) {
            if (apiKey.brokerListener()) {
                handlers.put(apiKey, UNUSED);
            }
        }
        return new BrokerDispatcher(handlers, Runnable::run);
    }

    @Test
    void produceIsListedFromVersionZeroAsKafkaListsItAndEveryOtherApiAtTheRangeItServes() {
        BrokerDispatcher dispatcher = dispatcherServingEveryApi();
        for (ApiVersionsResponseData.ApiVersion listed : dispatcher.advertisedVersions()) {
            ApiKey apiKey = ApiKey.forId(listed.apiKey());
            short expectedMin = apiKey == ApiKey.PRODUCE ? 0 : KafkaApiVersions.oldest(apiKey);
            assertThat(listed.minVersion()).as("%s", apiKey).isEqualTo(expectedMin);
            assertThat(listed.maxVersion()).as("%s", apiKey).isEqualTo(KafkaApiVersions.latest(apiKey));
            assertThat(dispatcher.supports(apiKey, listed.maxVersion())).isTrue();
        }
        assertThat(KafkaApiVersions.oldest(ApiKey.PRODUCE)).as("served from v3").isEqualTo((short) 3);
        ApiVersionsResponseData refusal = (ApiVersionsResponseData) dispatcher.unsupportedApiVersionsResponse();
        assertThat(refusal.apiKeys()).filteredOn(listed -> listed.apiKey() == ApiKey.PRODUCE.id())
                .singleElement().satisfies(produce -> assertThat(produce.minVersion()).isZero());
    }

    @Test
    void produceVersionsZeroToTwoAreRefusedAtTheHeaderAndVersionThreeIsRead() throws Exception {
        BrokerDispatcher dispatcher = dispatcherServingEveryApi();
        RequestDecoder decoder = new RequestDecoder(dispatcher);
        for (short version = 0; version <= 2; version++) {
            assertThat(dispatcher.supports(ApiKey.PRODUCE, version)).isFalse();
            int correlationId = 40 + version;
            ByteBuffer frame = oldProduceFrame(version, correlationId);
            assertThatThrownBy(() -> decoder.decode(frame)).isInstanceOfSatisfying(RequestParseException.class,
                    refused -> {
                        // The network layer closes the connection for this reason, as Kafka does.
                        assertThat(refused.reason()).isEqualTo(RequestParseException.Reason.UNSUPPORTED_VERSION);
                        assertThat(refused.apiKey()).isEqualTo(ApiKey.PRODUCE.id());
                        assertThat(refused.correlationId()).isEqualTo(correlationId);
                    });
        }
        DecodedRequest version3 = decoder.decode(produceFrame((short) 3, 43));
        assertThat(version3.apiKey()).isEqualTo(ApiKey.PRODUCE);
        assertThat(version3.apiVersion()).isEqualTo((short) 3);
    }

    /**
     * A well-formed Produce v0-2 request as an old client writes it (kafka-clients 4.4 cannot write these versions):
     * header v1, then acks, timeout and one partition holding one magic-1 message.
     */
    @Test
    void aFollowersFetchAndALightProduceRunOnTheCallingNetworkThreadAndEveryOtherRequestOnTheHandlerPool()
            throws Exception {
        Map<ApiKey, ApiHandler> handlers = new EnumMap<>(ApiKey.class);
        AtomicReference<Thread> handledOn = new AtomicReference<>();
        ApiHandler recordsItsThread = (context, request) -> {
            handledOn.set(Thread.currentThread());
            return CompletableFuture.completedFuture(null);
        };
        handlers.put(ApiKey.FETCH, recordsItsThread);
        handlers.put(ApiKey.PRODUCE, recordsItsThread);
        ExecutorService pool = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "handler-pool"));
        try {
            // The produce rule under test stands for ProduceHandler#appendsOnNetworkThread: here, acks=1 is light.
            BrokerDispatcher dispatcher = new BrokerDispatcher(handlers, pool,
                    request -> ((io.fjord.protocol.message.ProduceRequestData) request.body()).acks() == 1);
            FetchRequestData followerBefore15 = new FetchRequestData().setReplicaId(2);
            FetchRequestData followerFrom15 = new FetchRequestData().setReplicaId(-1)
                    .setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(3));
            FetchRequestData consumer = new FetchRequestData().setReplicaId(-1);
            List<Case> cases = List.of(new Case("follower, v12", ApiKey.FETCH, 12, followerBefore15, true),
                    new Case("follower, v17", ApiKey.FETCH, 17, followerFrom15, true),
                    new Case("consumer", ApiKey.FETCH, 17, consumer, false),
                    new Case("produce", ApiKey.PRODUCE, 11, fjordProduce((short) -1), false),
                    new Case("light produce", ApiKey.PRODUCE, 11, fjordProduce((short) 1), true));
            for (Case request : cases) {
                dispatcher.dispatch(null, new DecodedRequest(request.apiKey(), (short) request.version(), 1,
                        "client", (short) 2, request.body(), 0)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertThat(handledOn.get()).as(request.name())
                        .isSameAs(request.onCaller() ? Thread.currentThread() : poolThread(pool));
            }
            // A handler that throws on the network thread fails the request's stage, not the caller.
            handlers.put(ApiKey.FETCH, (context, request) -> {
                throw new IllegalStateException("broken");
            });
            assertThat(new BrokerDispatcher(handlers, pool).dispatch(null, new DecodedRequest(ApiKey.FETCH,
                    (short) 17, 1, "follower", (short) 2, followerFrom15, 0)).toCompletableFuture())
                    .isCompletedExceptionally();
        } finally {
            pool.shutdownNow();
        }
    }

    private static ApiMessage fjordProduce(short acks) {
        return new io.fjord.protocol.message.ProduceRequestData().setAcks(acks);
    }

    private record Case(String name, ApiKey apiKey, int version, ApiMessage body, boolean onCaller) {
    }

    private static Thread poolThread(ExecutorService pool) throws Exception {
        return pool.submit(Thread::currentThread).get(30, TimeUnit.SECONDS);
    }

    private static ByteBuffer oldProduceFrame(short version, int correlationId) {
        byte[] clientId = "old-client".getBytes(StandardCharsets.UTF_8);
        byte[] topic = "orders".getBytes(StandardCharsets.UTF_8);
        byte[] value = "hello".getBytes(StandardCharsets.UTF_8);
        // offset, size, crc, magic, attributes, timestamp, key (null), value
        int messageBytes = 4 + 1 + 1 + 8 + 4 + 4 + value.length;
        ByteBuffer messageSet = ByteBuffer.allocate(8 + 4 + messageBytes).putLong(0).putInt(messageBytes)
                .putInt(0).put((byte) 1).put((byte) 0).putLong(1_700_000_000_000L).putInt(-1).putInt(value.length)
                .put(value);
        ByteBuffer frame = ByteBuffer.allocate(256).putShort(ApiKey.PRODUCE.id()).putShort(version)
                .putInt(correlationId).putShort((short) clientId.length).put(clientId)
                .putShort((short) 1).putInt(30_000)
                .putInt(1).putShort((short) topic.length).put(topic)
                .putInt(1).putInt(0).putInt(messageSet.capacity()).put(messageSet.array());
        return frame.flip();
    }

    private static ByteBuffer produceFrame(short version, int correlationId) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(ApiKeys.PRODUCE.id)
                .setRequestApiVersion(version).setCorrelationId(correlationId).setClientId("client");
        ProduceRequestData body = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30_000);
        short headerVersion = ApiKeys.PRODUCE.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(header.size(cache, headerVersion) + body.size(cache, version));
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        return buffer.flip();
    }
}
