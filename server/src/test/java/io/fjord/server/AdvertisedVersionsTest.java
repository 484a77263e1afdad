package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.BrokerDispatcher;
import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.codec.RequestDecoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.codec.generated.MessageConverters;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.FileRegionRecords;
import io.fjord.protocol.message.FindCoordinatorRequestData;
import io.fjord.protocol.message.FindCoordinatorResponseData;
import io.fjord.protocol.message.ListGroupsRequestData;
import io.fjord.protocol.message.ListGroupsResponseData;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import io.fjord.protocol.message.ListOffsetsResponseData;
import io.fjord.protocol.message.ProduceRequestData;
import io.fjord.protocol.message.ProduceResponseData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every API a node advertises, at every version it advertises, is driven through the node's real handlers with
 * representative requests ({@link RepresentativeRequests}: successes and errors), each written by Kafka's writer at
 * that version and read by the node's decoder as a client's frame would be. Each response must encode at the
 * request's version with Kafka's writer (which refuses a non-default value in a field the version lacks) and read
 * back with Kafka's reader. An API without representative requests fails the test, so new handlers must add some.
 * The one listed range wider than the served one, Produce v0-2 (listed as Kafka 4.4 lists them, KAFKA-18659), must be
 * refused at the request header, which closes the connection as Kafka does.
 */
class AdvertisedVersionsTest {
    private static final RequestContext CONTEXT = new RequestContext(1, "PLAINTEXT",
            new InetSocketAddress("127.0.0.1", 40_000), 0);

    @TempDir
    Path data;

    private final AtomicInteger correlationIds = new AtomicInteger();

    @Test
    void everyAdvertisedVersionOfEveryApiAnswersWhatKafkaCanWriteAndRead() throws Exception {
        FjordNode node = new FjordNode(NodeConfig.fromProperties(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", data.toString(), "num.io.threads", "2", "group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "3", "transaction.state.log.num.partitions", "3")),
                InstantSource.system());
        node.start();
        try {
            BrokerDispatcher dispatcher = node.dispatcher();
            RepresentativeRequests requests = setUp(node, dispatcher);
            List<String> failures = new ArrayList<>();
            int exchanges = 0;
            for (ApiVersionsResponseData.ApiVersion advertised : dispatcher.advertisedVersions()) {
                ApiKey apiKey = ApiKey.forId(advertised.apiKey());
                if (!requests.covers(apiKey)) {
                    failures.add(apiKey + ": no representative requests; add them to RepresentativeRequests");
                    continue;
                }
                for (short version = advertised.minVersion(); version <= advertised.maxVersion(); version++) {
                    if (version < KafkaApiVersions.oldest(apiKey)) {
                        try {
                            assertRefusedAtTheHeader(dispatcher, apiKey, version);
                            exchanges++;
                        } catch (Exception | AssertionError e) {
                            failures.add(apiKey + " v" + version + " is listed but not served: " + e);
                        }
                        continue;
                    }
                    for (ApiMessage request : requests.of(apiKey, version)) {
                        try {
                            exchange(dispatcher, apiKey, version, request);
                            exchanges++;
                        } catch (Exception | AssertionError e) {
                            failures.add(apiKey + " v" + version + " " + request + ": " + e);
                        }
                    }
                }
            }
            System.out.printf("%d exchanges over %d APIs%n", exchanges, dispatcher.advertisedVersions().size());
            assertThat(failures).isEmpty();
            assertThat(dispatcher.advertisedVersions()).hasSizeGreaterThanOrEqualTo(17);
        } finally {
            node.stop();
        }
    }

    /** The check is worth having: Kafka's writer refuses a field the version cannot carry (a real bug once). */
    @Test
    void kafkasWriterRefusesAFieldTheVersionCannotCarry() {
        ListOffsetsResponseData withLeaderEpoch = new ListOffsetsResponseData().setTopics(new ArrayList<>(List.of(
                new ListOffsetsResponseData.ListOffsetsTopicResponse().setName("orders").setPartitions(
                        new ArrayList<>(List.of(new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                                .setPartitionIndex(0).setOffset(3).setLeaderEpoch(5)))))));
        assertThatThrownBy(() -> ResponseEncoder.encode(ApiKey.LIST_OFFSETS, (short) 1, 1, withLeaderEpoch))
                .isInstanceOf(UnsupportedVersionException.class);
        assertThat(ResponseEncoder.encode(ApiKey.LIST_OFFSETS, (short) 4, 1, withLeaderEpoch).sizeBytes())
                .isPositive();
    }

    /** Creates the topics the requests name and an idempotent producer with one batch in orders-0. */
    private RepresentativeRequests setUp(FjordNode node, BrokerDispatcher dispatcher) throws Exception {
        CreateTopicsResponseData created = (CreateTopicsResponseData) exchange(dispatcher, ApiKey.CREATE_TOPICS,
                latest(ApiKey.CREATE_TOPICS), RepresentativeRequests.topicsToCreate());
        assertThat(created.topics()).allSatisfy(topic -> assertThat(topic.errorCode()).isZero());
        // The first request after a start finds no producer id block yet (COORDINATOR_LOAD_IN_PROGRESS, as Kafka).
        InitProducerIdResponseData producer = await().atMost(Duration.ofSeconds(20)).until(
                () -> (InitProducerIdResponseData) exchange(dispatcher, ApiKey.INIT_PRODUCER_ID,
                        latest(ApiKey.INIT_PRODUCER_ID),
                        new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(-1)),
                response -> response.errorCode() == 0);
        UUID ordersId = node.metadataCache().image().topic("orders").orElseThrow().topicId();
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        produce.topicData().add(new ProduceRequestData.TopicProduceData().setName("orders").setPartitionData(
                new ArrayList<>(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                        new BufferRecords(RepresentativeRequests.batch(producer.producerId(),
                                producer.producerEpoch(), 0, "key", "a", "b")))))));
        ProduceResponseData produced = (ProduceResponseData) exchange(dispatcher, ApiKey.PRODUCE, (short) 12,
                produce);
        assertThat(produced.responses().get(0).partitionResponses().get(0).errorCode()).isZero();
        // The first group lookup creates __consumer_offsets; wait until its partitions are loaded.
        FindCoordinatorResponseData coordinator = (FindCoordinatorResponseData) exchange(dispatcher,
                ApiKey.FIND_COORDINATOR, latest(ApiKey.FIND_COORDINATOR), new FindCoordinatorRequestData()
                        .setCoordinatorKeys(new ArrayList<>(List.of("rep-group"))));
        assertThat(coordinator.coordinators().get(0).errorCode()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> ((ListGroupsResponseData) exchange(dispatcher,
                ApiKey.LIST_GROUPS, latest(ApiKey.LIST_GROUPS), new ListGroupsRequestData())).errorCode() == 0);
        return new RepresentativeRequests(ordersId, producer.producerId(), producer.producerEpoch());
    }

    /** A listed version that is not served: the decoder refuses its header (the connection then closes). */
    private void assertRefusedAtTheHeader(BrokerDispatcher dispatcher, ApiKey apiKey, short version) {
        int correlationId = correlationIds.incrementAndGet();
        // Header v1 with a null client id; the refusal comes before any body is read.
        ByteBuffer header = ByteBuffer.allocate(10).putShort(apiKey.id()).putShort(version).putInt(correlationId)
                .putShort((short) -1).flip();
        assertThat(dispatcher.supports(apiKey, version)).isFalse();
        assertThatThrownBy(() -> new RequestDecoder(dispatcher).decode(header))
                .isInstanceOfSatisfying(RequestParseException.class, refused -> {
                    assertThat(refused.reason()).isEqualTo(RequestParseException.Reason.UNSUPPORTED_VERSION);
                    assertThat(refused.correlationId()).isEqualTo(correlationId);
                });
        assertThat(apiKey).as("only Produce is listed below the version it serves, as in Kafka 4.4")
                .isEqualTo(ApiKey.PRODUCE);
    }

    /** The newest version the node advertises (kafka-clients' own latest may be an unstable one). */
    private static short latest(ApiKey apiKey) {
        return KafkaApiVersions.latest(apiKey);
    }

    /**
     * Sends the request as a client at {@code version} would (Kafka's writer, the node's decoder), encodes the response
     * at that version and reads it back with Kafka's reader. Returns the response (null for acks=0 produce).
     */
    private ApiMessage exchange(BrokerDispatcher dispatcher, ApiKey apiKey, short version, ApiMessage request)
            throws Exception {
        int correlationId = correlationIds.incrementAndGet();
        DecodedRequest decoded = new RequestDecoder(dispatcher).decode(frame(apiKey, version, correlationId, request));
        ApiMessage response = dispatcher.dispatch(CONTEXT, decoded).toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (response == null) {
            assertThat(apiKey).as("only acks=0 produce goes unanswered").isEqualTo(ApiKey.PRODUCE);
            assertThat(((ProduceRequestData) decoded.body()).acks()).isZero();
            return null;
        }
        EncodedResponse encoded = ResponseEncoder.encode(apiKey, version, correlationId, response);
        try {
            ByteBuffer bytes = concatenate(encoded);
            assertThat(bytes.getInt()).isEqualTo(encoded.sizeBytes() - 4);
            short headerVersion = (short) (apiKey != ApiKey.API_VERSIONS && apiKey.isFlexible(version) ? 1 : 0);
            ByteBufferAccessor accessor = new ByteBufferAccessor(bytes);
            assertThat(new ResponseHeaderData(accessor, headerVersion).correlationId()).isEqualTo(correlationId);
            ApiKeys.forId(apiKey.id()).messageType.newResponse().read(accessor, version);
            assertThat(bytes.remaining()).as("bytes left after the response").isZero();
        } finally {
            encoded.release();
        }
        return response;
    }

    private static ByteBuffer frame(ApiKey apiKey, short version, int correlationId, ApiMessage request) {
        org.apache.kafka.common.protocol.ApiMessage body = MessageConverters.requestToKafka(request);
        ApiKeys kafkaKey = ApiKeys.forId(apiKey.id());
        short headerVersion = kafkaKey.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(apiKey.id()).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("advertised-versions-test");
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(header.size(cache, headerVersion) + body.size(cache, version));
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        return buffer.flip();
    }

    /** The response's parts in one buffer, file regions read from their files. */
    private static ByteBuffer concatenate(EncodedResponse encoded) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(encoded.sizeBytes());
        for (Object part : encoded.parts()) {
            if (part instanceof ByteBuffer buffer) {
                all.put(buffer.duplicate());
            } else {
                FileRegionRecords region = (FileRegionRecords) part;
                ByteBuffer target = all.slice(all.position(), region.sizeInBytes());
                while (target.hasRemaining()) {
                    if (region.channel().read(target, region.position() + target.position()) < 0) {
                        break;
                    }
                }
                all.position(all.position() + region.sizeInBytes());
            }
        }
        return all.flip();
    }
}
