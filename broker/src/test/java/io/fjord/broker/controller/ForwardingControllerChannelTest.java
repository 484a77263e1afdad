package io.fjord.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The forwarding channel against real controller listeners (RaftTransport with a test handler) on loopback. */
class ForwardingControllerChannelTest {
    private static final Set<ApiKey> TOPIC_APIS = Set.of(ApiKey.CREATE_TOPICS, ApiKey.DELETE_TOPICS,
            ApiKey.BROKER_HEARTBEAT);
    /** Liveness bound for an answer on a busy machine, not a performance claim. */
    private static final long ANSWER_WAIT_SECONDS = 30;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final AtomicInteger leader = new AtomicInteger(-1);

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private ControllerNodeFixture node(int nodeId, Map<ApiKey, Short> highestVersions,
            java.util.function.Function<ControllerNodeFixture.Received, CompletableFuture<ApiMessage>> answers)
            throws InterruptedException {
        ControllerNodeFixture node = new ControllerNodeFixture(nodeId, TOPIC_APIS, highestVersions, answers).start();
        toClose.add(node);
        return node;
    }

    private ForwardingControllerChannel channel(ForwardingConfig config, ControllerNodeFixture... nodes) {
        Map<Integer, InetSocketAddress> addresses = new HashMap<>();
        for (int i = 0; i < nodes.length; i++) {
            addresses.put(i + 1, nodes[i].address());
        }
        ForwardingControllerChannel channel = new ForwardingControllerChannel(9, leader::get, addresses, config);
        channel.start();
        toClose.add(channel);
        return channel;
    }

    private static CreateTopicsRequestData createTopics(String... names) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (String name : names) {
            request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(1)
                    .setReplicationFactor((short) 1));
        }
        return request;
    }

    /** Created, or the given error for every topic. */
    private static CompletableFuture<ApiMessage> createTopicsAnswer(ApiMessage request, Errors error) {
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        for (CreateTopicsRequestData.CreatableTopic topic : ((CreateTopicsRequestData) request).topics()) {
            response.topics().add(new CreateTopicsResponseData.CreatableTopicResult().setName(topic.name())
                    .setErrorCode(error.code()).setNumPartitions(1).setReplicationFactor((short) 1));
        }
        return CompletableFuture.completedFuture(response);
    }

    private static CreateTopicsResponseData createTopicsResult(CompletableFuture<ApiMessage> answer)
            throws Exception {
        return (CreateTopicsResponseData) answer.get(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static List<Short> errorCodes(CreateTopicsResponseData response) {
        return response.topics().stream().map(CreateTopicsResponseData.CreatableTopicResult::errorCode).toList();
    }

    @Test
    void aRequestGoesToTheActiveControllerAtTheHighestVersionBothSidesServe() throws Exception {
        ControllerNodeFixture one = node(1, Map.of(ApiKey.CREATE_TOPICS, (short) 4),
                received -> received.api() == ApiKey.CREATE_TOPICS
                        ? createTopicsAnswer(received.request(), Errors.NONE)
                        : CompletableFuture.completedFuture(new DeleteTopicsResponseData().setResponses(List.of(
                                new DeleteTopicsResponseData.DeletableTopicResult().setName("old")))));
        ControllerNodeFixture two = node(2, Map.of(), received -> new CompletableFuture<>());
        leader.set(1);
        ForwardingControllerChannel channel = channel(ForwardingConfig.withDefaults(), one, two);

        CreateTopicsResponseData created = createTopicsResult(channel.send(ApiKey.CREATE_TOPICS,
                createTopics("orders")));
        ApiMessage deleted = channel.send(ApiKey.DELETE_TOPICS, new DeleteTopicsRequestData()
                .setTopicNames(List.of("old"))).get(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(errorCodes(created)).containsExactly(Errors.NONE.code());
        assertThat(((DeleteTopicsResponseData) deleted).responses().get(0).name()).isEqualTo("old");
        // The listener caps CreateTopics at v4, so the request went at v4; DeleteTopics at kafka-clients' newest.
        assertThat(one.received).extracting(ControllerNodeFixture.Received::version).containsExactly((short) 4,
                KafkaApiVersions.latest(ApiKey.DELETE_TOPICS));
        assertThat(((CreateTopicsRequestData) one.received.get(0).request()).topics().get(0).name())
                .isEqualTo("orders");
        assertThat(two.received).isEmpty();
    }

    @Test
    void notControllerSendsTheRequestAgainToTheNewLeader() throws Exception {
        ControllerNodeFixture one = node(1, Map.of(), received -> {
            leader.set(2); // the leadership moved on
            return createTopicsAnswer(received.request(), Errors.NOT_CONTROLLER);
        });
        ControllerNodeFixture two = node(2, Map.of(), received -> createTopicsAnswer(received.request(),
                Errors.NONE));
        leader.set(1);
        ForwardingControllerChannel channel = channel(ForwardingConfig.withDefaults(), one, two);

        CreateTopicsResponseData created = createTopicsResult(channel.send(ApiKey.CREATE_TOPICS,
                createTopics("a", "b")));

        assertThat(errorCodes(created)).containsExactly(Errors.NONE.code(), Errors.NONE.code());
        assertThat(one.received).hasSize(1);
        assertThat(two.received).hasSize(1);
    }

    @Test
    void aRequestInFlightToAControllerThatLostTheLeadershipGoesToTheNewOneWithoutWaitingForItsTimeout()
            throws Exception {
        CompletableFuture<Void> receivedByOne = new CompletableFuture<>();
        // Node 1 was cut off from the quorum: it takes the request and never answers.
        ControllerNodeFixture one = node(1, Map.of(), received -> {
            receivedByOne.complete(null);
            return new CompletableFuture<>();
        });
        ControllerNodeFixture two = node(2, Map.of(), received -> createTopicsAnswer(received.request(),
                Errors.NONE));
        leader.set(1);
        // A deadline longer than the wait below: only a resend to the new controller can answer in time.
        ForwardingControllerChannel channel = channel(ForwardingConfig.withDefaults()
                .withRequestTimeoutMs(TimeUnit.SECONDS.toMillis(10 * ANSWER_WAIT_SECONDS)), one, two);

        CompletableFuture<ApiMessage> answer = channel.send(ApiKey.CREATE_TOPICS, createTopics("a"));
        receivedByOne.get(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS);
        leader.set(2);

        assertThat(errorCodes(createTopicsResult(answer))).containsExactly(Errors.NONE.code());
        assertThat(one.received).hasSize(1);
        assertThat(two.received).hasSize(1);
    }

    @Test
    void notControllerFromTheLeaderNotYetActiveIsRetriedUntilItAnswers() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        ControllerNodeFixture one = node(1, Map.of(), received -> createTopicsAnswer(received.request(),
                attempts.incrementAndGet() < 3 ? Errors.NOT_CONTROLLER : Errors.NONE));
        leader.set(1);
        ForwardingControllerChannel channel = channel(ForwardingConfig.withDefaults(), one);

        CreateTopicsResponseData created = createTopicsResult(channel.send(ApiKey.CREATE_TOPICS,
                createTopics("a")));

        assertThat(errorCodes(created)).containsExactly(Errors.NONE.code());
        assertThat(one.received).hasSize(3);
    }

    @Test
    void aRequestInFlightWhenTheListenerStopsIsSentAgainOnceItIsBack() throws Exception {
        ControllerNodeFixture one = node(1, Map.of(), received -> new CompletableFuture<>()); // never answers
        leader.set(1);
        ForwardingControllerChannel channel = channel(ForwardingConfig.withDefaults(), one);

        CompletableFuture<ApiMessage> answer = channel.send(ApiKey.CREATE_TOPICS, createTopics("a"));
        await().atMost(Duration.ofSeconds(ANSWER_WAIT_SECONDS)).until(() -> one.received.size() == 1);
        one.stop();
        one.answers(received -> createTopicsAnswer(received.request(), Errors.NONE));
        one.start();

        assertThat(errorCodes(createTopicsResult(answer))).containsExactly(Errors.NONE.code());
        assertThat(one.received).hasSize(2);
    }

    @Test
    void aRequestSentWhileTheListenerIsDownGoesOutOnceItIsUp() throws Exception {
        ControllerNodeFixture one = node(1, Map.of(), received -> createTopicsAnswer(received.request(),
                Errors.NONE));
        one.stop();
        leader.set(1);
        ForwardingControllerChannel channel = channel(ForwardingConfig.withDefaults(), one);

        CompletableFuture<ApiMessage> answer = channel.send(ApiKey.CREATE_TOPICS, createTopics("a"));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !answer.isDone());
        one.start();

        assertThat(errorCodes(createTopicsResult(answer))).containsExactly(Errors.NONE.code());
    }

    @Test
    void withNoControllerKnownTheDeadlineAnswersEveryTopicWithRequestTimedOut() throws Exception {
        ControllerNodeFixture one = node(1, Map.of(), received -> createTopicsAnswer(received.request(),
                Errors.NONE));
        leader.set(-1);
        ForwardingControllerChannel channel = channel(ForwardingConfig.withDefaults().withRequestTimeoutMs(300),
                one);

        CompletableFuture<ApiMessage> created = channel.send(ApiKey.CREATE_TOPICS, createTopics("a", "b"));
        CompletableFuture<ApiMessage> deleted = channel.send(ApiKey.DELETE_TOPICS, new DeleteTopicsRequestData()
                .setTopicNames(List.of("x", "y")));
        CompletableFuture<ApiMessage> heartbeat = channel.send(ApiKey.BROKER_HEARTBEAT,
                new BrokerHeartbeatRequestData().setBrokerId(9));

        short timedOut = Errors.REQUEST_TIMED_OUT.code();
        assertThat(errorCodes(createTopicsResult(created))).containsExactly(timedOut, timedOut);
        assertThat(((DeleteTopicsResponseData) deleted.get(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS)).responses())
                .extracting(DeleteTopicsResponseData.DeletableTopicResult::name,
                        DeleteTopicsResponseData.DeletableTopicResult::errorCode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("x", timedOut),
                        org.assertj.core.groups.Tuple.tuple("y", timedOut));
        BrokerHeartbeatResponseData beat = (BrokerHeartbeatResponseData) heartbeat.get(ANSWER_WAIT_SECONDS,
                TimeUnit.SECONDS);
        assertThat(beat.errorCode()).isEqualTo(timedOut);
        assertThat(one.received).isEmpty();
    }

    @Test
    void aControllerThatDoesNotAnswerInTimeGetsRequestTimedOutAndTheNextRequestANewConnection()
            throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        ControllerNodeFixture one = node(1, Map.of(), received -> attempts.incrementAndGet() == 1
                ? new CompletableFuture<>() : createTopicsAnswer(received.request(), Errors.NONE));
        leader.set(1);
        ForwardingControllerChannel channel = channel(ForwardingConfig.withDefaults().withRequestTimeoutMs(500),
                one);

        CreateTopicsResponseData first = createTopicsResult(channel.send(ApiKey.CREATE_TOPICS, createTopics("a")));
        CreateTopicsResponseData second = createTopicsResult(channel.send(ApiKey.CREATE_TOPICS, createTopics("b")));

        assertThat(errorCodes(first)).containsExactly(Errors.REQUEST_TIMED_OUT.code());
        assertThat(errorCodes(second)).containsExactly(Errors.NONE.code());
    }

    @Test
    void anApiTheListenerDoesNotServeIsAnsweredUnsupportedVersion() throws Exception {
        ControllerNodeFixture one = node(1, Map.of(), received -> createTopicsAnswer(received.request(),
                Errors.NONE));
        leader.set(1);
        ForwardingControllerChannel channel = channel(ForwardingConfig.withDefaults(), one);

        ElectLeadersResponseData elect = (ElectLeadersResponseData) channel.send(ApiKey.ELECT_LEADERS,
                new ElectLeadersRequestData().setTopicPartitions(List.of(new ElectLeadersRequestData.TopicPartitions()
                        .setTopic("a").setPartitions(List.of(0, 1))))).get(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(elect.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(elect.replicaElectionResults().get(0).partitionResult())
                .extracting(ElectLeadersResponseData.PartitionResult::errorCode)
                .containsOnly(Errors.UNSUPPORTED_VERSION.code());
        assertThat(one.received).isEmpty();
    }

    @Test
    void requestsBeyondTheBoundAreAnsweredAtOnceAndCloseAnswersTheRest() throws Exception {
        ControllerNodeFixture one = node(1, Map.of(), received -> new CompletableFuture<>());
        leader.set(-1);
        ForwardingConfig defaults = ForwardingConfig.withDefaults();
        ForwardingConfig oneHeld = new ForwardingConfig(60_000, defaults.retryBackoffMs(),
                defaults.reconnectBackoffMs(), defaults.reconnectBackoffMaxMs(), defaults.connectTimeoutMs(),
                defaults.inFlightRequestsMax(), 1, defaults.frameBytesMax(), null);
        ForwardingControllerChannel channel = channel(oneHeld, one);

        CompletableFuture<ApiMessage> held = channel.send(ApiKey.CREATE_TOPICS, createTopics("a"));
        CompletableFuture<ApiMessage> refused = channel.send(ApiKey.CREATE_TOPICS, createTopics("b"));

        assertThat(errorCodes(createTopicsResult(refused))).containsExactly(Errors.REQUEST_TIMED_OUT.code());
        assertThat(held).isNotDone();
        channel.close();
        assertThat(errorCodes(createTopicsResult(held))).containsExactly(Errors.REQUEST_TIMED_OUT.code());
    }

    @Test
    void anApiThatIsNoControllerApiIsRefused() {
        ForwardingControllerChannel channel = new ForwardingControllerChannel(9, leader::get, Map.of(),
                ForwardingConfig.withDefaults());
        assertThat(channel.send(ApiKey.PRODUCE, new io.fjord.protocol.message.ProduceRequestData()))
                .isCompletedExceptionally();
    }
}
