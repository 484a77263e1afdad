package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeQuorumRequestData;
import io.fjord.protocol.message.DescribeQuorumResponseData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import io.fjord.protocol.message.UnregisterBrokerRequestData;
import io.fjord.protocol.message.UnregisterBrokerResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ForwardedControllerHandlerTest {
    private static ApiMessage handle(ForwardedControllerHandler handler, ApiKey api, short version,
            ApiMessage request) {
        return handler.handle(null, new DecodedRequest(api, version, 1, "test", (short) 2, request, 0))
                .toCompletableFuture().join();
    }

    private static DescribeQuorumResponseData quorumWithNodes() {
        DescribeQuorumResponseData response = new DescribeQuorumResponseData().setTopics(new ArrayList<>(List.of(
                new DescribeQuorumResponseData.TopicData().setTopicName("__cluster_metadata").setPartitions(
                        new ArrayList<>(List.of(new DescribeQuorumResponseData.PartitionData().setLeaderId(2)
                                .setLeaderEpoch(3).setHighWatermark(40)))))));
        response.setNodes(new ArrayList<>(List.of(new DescribeQuorumResponseData.Node().setNodeId(2)
                .setListeners(new ArrayList<>(List.of(new DescribeQuorumResponseData.Listener()
                        .setName("CONTROLLER").setHost("127.0.0.1").setPort(9093)))))));
        return response;
    }

    @Test
    void theRequestGoesToTheControllerAsItCameAndItsAnswerBack() {
        AtomicReference<ApiMessage> sent = new AtomicReference<>();
        ForwardedControllerHandler handler = new ForwardedControllerHandler((api, request) -> {
            sent.set(request);
            return CompletableFuture.completedFuture(new UnregisterBrokerResponseData()
                    .setErrorCode(Errors.BROKER_ID_NOT_REGISTERED.code()));
        }, ApiKey.UNREGISTER_BROKER);
        UnregisterBrokerRequestData request = new UnregisterBrokerRequestData().setBrokerId(4);
        UnregisterBrokerResponseData response = (UnregisterBrokerResponseData) handle(handler,
                ApiKey.UNREGISTER_BROKER, (short) 0, request);
        assertThat(sent.get()).isSameAs(request);
        assertThat(response.errorCode()).isEqualTo(Errors.BROKER_ID_NOT_REGISTERED.code());
    }

    @Test
    void aQuorumDescriptionFitsAnOlderClientsVersion() {
        ForwardedControllerHandler handler = new ForwardedControllerHandler(
                (api, request) -> CompletableFuture.completedFuture(quorumWithNodes()), ApiKey.DESCRIBE_QUORUM);
        for (short version = 0; version <= 2; version++) {
            DescribeQuorumResponseData response = (DescribeQuorumResponseData) handle(handler,
                    ApiKey.DESCRIBE_QUORUM, version, new DescribeQuorumRequestData());
            // Kafka's writer refuses the v2 nodes at v0-1: the fitted answer must encode at the client's version.
            ResponseEncoder.encode(ApiKey.DESCRIBE_QUORUM, version, 1, response);
            assertThat(response.nodes()).hasSize(version >= 2 ? 1 : 0);
            assertThat(response.topics().get(0).partitions().get(0).leaderId()).isEqualTo(2);
        }
    }

    @Test
    void aFailedChannelIsTheApisErrorResponse() {
        ForwardedControllerHandler handler = new ForwardedControllerHandler(
                (api, request) -> CompletableFuture.failedFuture(new IllegalStateException("boom")),
                ApiKey.DESCRIBE_QUORUM);
        DescribeQuorumResponseData response = (DescribeQuorumResponseData) handle(handler, ApiKey.DESCRIBE_QUORUM,
                (short) 2, new DescribeQuorumRequestData());
        assertThat(response.errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
    }

    @Test
    void aTopLevelElectionErrorReachesVersionZeroClientsThroughEveryPartition() {
        ForwardedControllerHandler handler = new ForwardedControllerHandler(
                (api, request) -> CompletableFuture.completedFuture(new ElectLeadersResponseData()
                        .setErrorCode(Errors.NOT_CONTROLLER.code())), ApiKey.ELECT_LEADERS);
        ElectLeadersRequestData request = new ElectLeadersRequestData().setTopicPartitions(new ArrayList<>(List.of(
                new ElectLeadersRequestData.TopicPartitions().setTopic("orders")
                        .setPartitions(new ArrayList<>(List.of(0, 1))))));
        ElectLeadersResponseData response = (ElectLeadersResponseData) handle(handler, ApiKey.ELECT_LEADERS,
                (short) 0, request);
        ResponseEncoder.encode(ApiKey.ELECT_LEADERS, (short) 0, 1, response);
        assertThat(response.errorCode()).isZero();
        assertThat(response.replicaElectionResults().get(0).partitionResult())
                .extracting(ElectLeadersResponseData.PartitionResult::errorCode)
                .containsExactly(Errors.NOT_CONTROLLER.code(), Errors.NOT_CONTROLLER.code());
        ElectLeadersResponseData current = (ElectLeadersResponseData) handle(handler, ApiKey.ELECT_LEADERS,
                (short) 2, request);
        assertThat(current.errorCode()).isEqualTo(Errors.NOT_CONTROLLER.code());
    }
}
