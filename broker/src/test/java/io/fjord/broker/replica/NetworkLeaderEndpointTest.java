package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.network.Endpoint;
import io.fjord.broker.network.NetworkConfig;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.network.RequestDispatcher;
import io.fjord.broker.network.SocketServer;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The network endpoint against a real Fjord socket server on an ephemeral loopback port. */
class NetworkLeaderEndpointTest {
    private static final Set<ApiKey> SERVED = Set.of(ApiKey.API_VERSIONS, ApiKey.FETCH);
    /** Liveness bound on a busy machine, not a performance claim. */
    private static final long ANSWER_WAIT_SECONDS = 30;

    private final List<DecodedRequest> received = new CopyOnWriteArrayList<>();
    private volatile boolean answerFetches = true;
    private SocketServer server;
    private NetworkLeaderEndpoints endpoints;
    /** The fetchers' endpoints run on loops that the waiting thread drives: this test's thread, here. */
    private final Map<LeaderEndpoint, FetcherWaits> waits = new HashMap<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        waits.forEach((endpoint, endpointWaits) -> {
            endpoint.close();
            endpointWaits.detach();
        });
        if (endpoints != null) {
            endpoints.close();
        }
        if (server != null) {
            server.shutdown(1_000);
        }
    }

    private InetSocketAddress startLeader() throws InterruptedException {
        server = new SocketServer(NetworkConfig.defaults(List.of(new Endpoint("REPLICATION", "127.0.0.1", 0))),
                new Dispatcher());
        server.start();
        return server.boundAddress("REPLICATION");
    }

    private LeaderEndpoint endpoint(Optional<InetSocketAddress> address, long requestTimeoutMs) {
        ReplicaFetcherConfig config = new ReplicaFetcherConfig(1, 1024, 1024, 100, 1, 10, requestTimeoutMs, 5_000,
                1024 * 1024);
        endpoints = new NetworkLeaderEndpoints(2, id -> id == 1 ? address : Optional.empty(), config);
        LeaderEndpoint endpoint = endpoints.endpoint(1, 0);
        FetcherWaits endpointWaits = endpoint.newWaits();
        endpointWaits.attach();
        waits.put(endpoint, endpointWaits);
        return endpoint;
    }

    /** Sends and waits for the answer as a fetcher's thread does: running the endpoint's loop meanwhile. */
    private ApiMessage ask(LeaderEndpoint leader, LeaderEndpoint.RequestBuilder request) throws Exception {
        CompletableFuture<ApiMessage> answer = leader.send(ApiKey.FETCH, request);
        waits.get(leader).awaitAnswer(answer, TimeUnit.SECONDS.toMillis(ANSWER_WAIT_SECONDS));
        return answer.get(1, TimeUnit.MILLISECONDS);
    }

    @Test
    void sendsAReplicaFetchAtTheHighestSharedVersionAndDecodesTheRecords() throws Exception {
        LeaderEndpoint leader = endpoint(Optional.of(startLeader()), 30_000);

        ApiMessage answer = ask(leader, version -> new FetchRequestData().setReplicaState(
                new FetchRequestData.ReplicaState().setReplicaId(2).setReplicaEpoch(7)));

        FetchResponseData.PartitionData data = ((FetchResponseData) answer).responses().get(0).partitions().get(0);
        assertThat(((BufferRecords) data.records()).buffer()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        DecodedRequest fetch = received.stream().filter(request -> request.apiKey() == ApiKey.FETCH).findFirst()
                .orElseThrow();
        assertThat(fetch.apiVersion()).isEqualTo(KafkaApiVersions.latest(ApiKey.FETCH));
        assertThat(((FetchRequestData) fetch.body()).replicaState().replicaEpoch()).isEqualTo(7);
        assertThat(fetch.clientId()).isEqualTo("fjord-replica-fetcher-2-0");
    }

    @Test
    void theWaitingThreadDrivesTheConnectionItselfWithNoOtherThread() throws Exception {
        LeaderEndpoint leader = endpoint(Optional.of(startLeader()), 30_000);
        CompletableFuture<ApiMessage> answer = leader.send(ApiKey.FETCH, version -> new FetchRequestData());
        AtomicReference<Thread> completedOn = new AtomicReference<>();
        answer.whenComplete((response, error) -> completedOn.set(Thread.currentThread()));

        // Nothing runs the connection until this thread waits: the request is not even sent.
        assertThat(answer).isNotDone();
        assertThat(received).isEmpty();
        waits.get(leader).awaitAnswer(answer, TimeUnit.SECONDS.toMillis(ANSWER_WAIT_SECONDS));

        assertThat(answer).isCompleted();
        assertThat(completedOn.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void failsWhenTheLeaderHasNoAddressOrCannotBeReached() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        LeaderEndpoint unreachable = endpoint(Optional.of(new InetSocketAddress("127.0.0.1", closedPort)), 30_000);
        assertThatThrownBy(() -> ask(unreachable, version -> new FetchRequestData()))
                .isInstanceOf(ExecutionException.class);
        endpoints.close();

        LeaderEndpoint unknown = endpoint(Optional.empty(), 30_000);
        assertThatThrownBy(() -> ask(unknown, version -> new FetchRequestData()))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("no address");
    }

    @Test
    void failsARequestUnansweredWithinTheTimeoutAndConnectsAgainForTheNext() throws Exception {
        LeaderEndpoint leader = endpoint(Optional.of(startLeader()), 500);
        answerFetches = false;
        assertThatThrownBy(() -> ask(leader, version -> new FetchRequestData()))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("no answer");

        answerFetches = true;
        ApiMessage answer = ask(leader, version -> new FetchRequestData());
        assertThat(answer).isInstanceOf(FetchResponseData.class);
    }

    /** Serves ApiVersions and answers every Fetch with three bytes of "records" (unless told not to answer). */
    private final class Dispatcher implements RequestDispatcher {
        @Override
        public boolean supports(ApiKey api, short version) {
            return SERVED.contains(api) && version >= KafkaApiVersions.oldest(api)
                    && version <= KafkaApiVersions.latest(api);
        }

        @Override
        public CompletionStage<ApiMessage> dispatch(RequestContext context, DecodedRequest request) {
            received.add(request);
            if (request.apiKey() == ApiKey.API_VERSIONS) {
                ApiVersionsResponseData versions = new ApiVersionsResponseData();
                for (ApiKey api : SERVED) {
                    versions.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(api.id())
                            .setMinVersion(KafkaApiVersions.oldest(api)).setMaxVersion(KafkaApiVersions.latest(api)));
                }
                return CompletableFuture.completedFuture(versions);
            }
            if (!answerFetches) {
                return new CompletableFuture<>();
            }
            FetchResponseData response = new FetchResponseData();
            response.responses().add(new FetchResponseData.FetchableTopicResponse().setTopicId(UUID.randomUUID())
                    .setPartitions(new java.util.ArrayList<>(List.of(new FetchResponseData.PartitionData()
                            .setRecords(new BufferRecords(ByteBuffer.wrap(new byte[] {1, 2, 3})))))));
            return CompletableFuture.completedFuture(response);
        }

        @Override
        public ApiMessage unsupportedApiVersionsResponse() {
            return new ApiVersionsResponseData().setErrorCode((short) 35);
        }
    }
}
