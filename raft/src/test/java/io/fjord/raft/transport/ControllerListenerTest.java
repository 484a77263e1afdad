package io.fjord.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsRequestData;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import io.fjord.raft.driver.QuorumDescription;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The controller listener's side of controller requests: a fake handler behind a real transport and socket. */
class ControllerListenerTest {
    /** The handler's answers, completed by each test; keyed by the request's API. */
    private final Map<ApiKey, CompletableFuture<ApiMessage>> answers = new ConcurrentHashMap<>();
    private final Map<ApiKey, Short> versionsSeen = new ConcurrentHashMap<>();
    private RaftTransport transport;

    private final ControllerRequestHandler handler = new ControllerRequestHandler() {
        @Override
        public Set<ApiKey> apis() {
            return Set.of(ApiKey.CREATE_TOPICS, ApiKey.DELETE_TOPICS, ApiKey.VOTE);
        }

        @Override
        public short highestVersion(ApiKey api) {
            return api == ApiKey.DELETE_TOPICS ? 4 : ControllerRequestHandler.super.highestVersion(api);
        }

        @Override
        public CompletableFuture<ApiMessage> handle(ApiKey api, short version, ApiMessage request) {
            versionsSeen.put(api, version);
            return answers.computeIfAbsent(api, key -> new CompletableFuture<>());
        }
    };

    private void start(ControllerRequestHandler controllerHandler, int pendingRequestsMax)
            throws InterruptedException {
        InetSocketAddress own = new InetSocketAddress("127.0.0.1", 0);
        TransportConfig config = new TransportConfig(own, Map.of(2, own), "cluster", 1024 * 1024,
                pendingRequestsMax, 16, 50, 1000, 5000, 1);
        RaftMessageMapper mapper = new RaftMessageMapper(2, "cluster", Set.of(1, 2, 3), 1024, 1000, "127.0.0.1", 0);
        transport = new RaftTransport(2, config, mapper, message -> true,
                () -> CompletableFuture.completedFuture(new QuorumDescription(2, 1, 0, List.of(), List.of())),
                peer -> { }, controllerHandler);
        transport.start();
    }

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
    }

    @Test
    void apiVersionsListsTheHandlersApisAtItsVersionsBesideTheRaftApis() throws Exception {
        start(handler, 16);
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.API_VERSIONS, (short) 3, 1, "test",
                    new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1")));
            ApiVersionsResponseData response = (ApiVersionsResponseData) ResponseDecoder.decode(
                    ApiKey.API_VERSIONS, (short) 3, readFrame(socket));
            assertThat(response.apiKeys()).extracting(key -> ApiKey.forId(key.apiKey())).contains(ApiKey.VOTE,
                    ApiKey.FETCH, ApiKey.DESCRIBE_QUORUM, ApiKey.CREATE_TOPICS, ApiKey.DELETE_TOPICS)
                    .doesNotHaveDuplicates();
            ApiVersionsResponseData.ApiVersion createTopics = version(response, ApiKey.CREATE_TOPICS);
            assertThat(createTopics.minVersion()).isEqualTo(KafkaApiVersions.oldest(ApiKey.CREATE_TOPICS));
            assertThat(createTopics.maxVersion()).isEqualTo(KafkaApiVersions.latest(ApiKey.CREATE_TOPICS));
            assertThat(version(response, ApiKey.DELETE_TOPICS).maxVersion()).isEqualTo((short) 4);
            // A Raft API named by the handler stays Raft's.
            assertThat(version(response, ApiKey.VOTE).minVersion()).isEqualTo((short) 2);
        }
    }

    @Test
    void withoutAHandlerApiVersionsListsOnlyTheRaftApis() throws Exception {
        start(ControllerRequestHandler.NONE, 16);
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.API_VERSIONS, (short) 3, 1, "test",
                    new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1")));
            ApiVersionsResponseData response = (ApiVersionsResponseData) ResponseDecoder.decode(
                    ApiKey.API_VERSIONS, (short) 3, readFrame(socket));
            assertThat(response.apiKeys()).extracting(key -> ApiKey.forId(key.apiKey())).containsExactly(
                    ApiKey.FETCH, ApiKey.API_VERSIONS, ApiKey.VOTE, ApiKey.BEGIN_QUORUM_EPOCH,
                    ApiKey.END_QUORUM_EPOCH, ApiKey.DESCRIBE_QUORUM, ApiKey.FETCH_SNAPSHOT, ApiKey.ADD_RAFT_VOTER,
                    ApiKey.REMOVE_RAFT_VOTER, ApiKey.UPDATE_RAFT_VOTER);
        }
    }

    @Test
    void controllerRequestsGoToTheHandlerAndAreAnsweredOnTheirConnectionInCompletionOrder() throws Exception {
        start(handler, 16);
        short createVersion = KafkaApiVersions.latest(ApiKey.CREATE_TOPICS);
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.CREATE_TOPICS, createVersion, 10, "broker-1",
                    new CreateTopicsRequestData().setTopics(List.of(
                            new CreateTopicsRequestData.CreatableTopic().setName("orders").setNumPartitions(3)
                                    .setReplicationFactor((short) 1)))));
            write(socket, RequestEncoder.encode(ApiKey.DELETE_TOPICS, (short) 4, 11, "broker-1",
                    new DeleteTopicsRequestData().setTopicNames(List.of("old"))));
            await().until(() -> versionsSeen.size() == 2);
            assertThat(versionsSeen).containsEntry(ApiKey.CREATE_TOPICS, createVersion)
                    .containsEntry(ApiKey.DELETE_TOPICS, (short) 4);

            // The second request's answer is ready first and leaves first: clients pair by correlation id.
            answers.get(ApiKey.DELETE_TOPICS).complete(new DeleteTopicsResponseData().setResponses(List.of(
                    new DeleteTopicsResponseData.DeletableTopicResult().setName("old"))));
            ByteBuffer first = readFrame(socket);
            assertThat(ResponseDecoder.correlationId(first)).isEqualTo(11);
            answers.get(ApiKey.CREATE_TOPICS).complete(new CreateTopicsResponseData().setTopics(List.of(
                    new CreateTopicsResponseData.CreatableTopicResult().setName("orders").setNumPartitions(3))));
            ByteBuffer second = readFrame(socket);
            assertThat(ResponseDecoder.correlationId(second)).isEqualTo(10);
            CreateTopicsResponseData created = (CreateTopicsResponseData) ResponseDecoder.decode(
                    ApiKey.CREATE_TOPICS, createVersion, second);
            assertThat(created.topics().get(0).name()).isEqualTo("orders");
        }
    }

    @Test
    void aVersionAboveTheHandlersClosesTheConnectionWithoutReachingIt() throws Exception {
        start(handler, 16);
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.DELETE_TOPICS, (short) 5, 12, "broker-1",
                    new DeleteTopicsRequestData().setTopicNames(List.of("old"))));
            assertClosed(socket);
        }
        assertThat(versionsSeen).isEmpty();
    }

    @Test
    void aFailedAnswerClosesTheConnection() throws Exception {
        start(handler, 16);
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.DELETE_TOPICS, (short) 4, 13, "broker-1",
                    new DeleteTopicsRequestData().setTopicNames(List.of("old"))));
            await().until(() -> answers.containsKey(ApiKey.DELETE_TOPICS));
            answers.get(ApiKey.DELETE_TOPICS).completeExceptionally(new IllegalStateException("a bug"));
            assertClosed(socket);
        }
    }

    @Test
    void theListenerStopsReadingWhileTooManyAnswersAreOwedAndGoesOnOnceOneLeaves() throws Exception {
        Map<Integer, CompletableFuture<ApiMessage>> byTopicCount = new ConcurrentHashMap<>();
        ControllerRequestHandler counting = new ControllerRequestHandler() {
            @Override
            public Set<ApiKey> apis() {
                return Set.of(ApiKey.DELETE_TOPICS);
            }

            @Override
            public CompletableFuture<ApiMessage> handle(ApiKey api, short version, ApiMessage request) {
                int names = ((DeleteTopicsRequestData) request).topicNames().size();
                return byTopicCount.computeIfAbsent(names, key -> new CompletableFuture<>());
            }
        };
        start(counting, 1);
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.DELETE_TOPICS, (short) 4, 1, "broker-1",
                    new DeleteTopicsRequestData().setTopicNames(List.of("a"))));
            await().until(() -> byTopicCount.containsKey(1));
            // One answer owed, the bound: the next request is not read until that answer leaves.
            write(socket, RequestEncoder.encode(ApiKey.DELETE_TOPICS, (short) 4, 2, "broker-1",
                    new DeleteTopicsRequestData().setTopicNames(List.of("a", "b"))));
            await().during(java.time.Duration.ofMillis(300)).atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> !byTopicCount.containsKey(2));
            byTopicCount.get(1).complete(new DeleteTopicsResponseData());
            assertThat(ResponseDecoder.correlationId(readFrame(socket))).isEqualTo(1);
            await().until(() -> byTopicCount.containsKey(2));
        }
    }

    private static ApiVersionsResponseData.ApiVersion version(ApiVersionsResponseData response, ApiKey apiKey) {
        return response.apiKeys().stream().filter(key -> key.apiKey() == apiKey.id()).findFirst().orElseThrow();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(transport.boundAddress(), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static ByteBuffer readFrame(Socket socket) throws IOException {
        DataInputStream input = new DataInputStream(socket.getInputStream());
        byte[] frame = new byte[input.readInt()];
        input.readFully(frame);
        return ByteBuffer.wrap(frame);
    }

    private static void write(Socket socket, ByteBuffer frame) throws IOException {
        OutputStream output = socket.getOutputStream();
        output.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        output.flush();
    }

    private static void assertClosed(Socket socket) throws IOException {
        try {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        } catch (EOFException | java.net.SocketException reset) {
            // closed by the peer
        }
    }
}
