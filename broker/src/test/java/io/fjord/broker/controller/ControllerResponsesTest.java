package io.fjord.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AllocateProducerIdsResponseData;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import io.fjord.protocol.message.CreatePartitionsResponseData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import io.fjord.protocol.message.DescribeQuorumResponseData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import io.fjord.protocol.message.UnregisterBrokerResponseData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControllerResponsesTest {
    private static final short NOT_CONTROLLER = Errors.NOT_CONTROLLER.code();
    private static final short OTHER = Errors.TOPIC_ALREADY_EXISTS.code();

    @Test
    void notControllerIsFoundInEveryApisErrorFields() {
        assertFound(ApiKey.CREATE_TOPICS, code -> new CreateTopicsResponseData().setTopics(List.of(
                new CreateTopicsResponseData.CreatableTopicResult().setName("a"),
                new CreateTopicsResponseData.CreatableTopicResult().setName("b").setErrorCode(code))));
        assertFound(ApiKey.DELETE_TOPICS, code -> new DeleteTopicsResponseData().setResponses(List.of(
                new DeleteTopicsResponseData.DeletableTopicResult().setName("a").setErrorCode(code))));
        assertFound(ApiKey.CREATE_PARTITIONS, code -> new CreatePartitionsResponseData().setResults(List.of(
                new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName("a").setErrorCode(code))));
        assertFound(ApiKey.INCREMENTAL_ALTER_CONFIGS, code -> new IncrementalAlterConfigsResponseData()
                .setResponses(List.of(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setErrorCode(code))));
        assertFound(ApiKey.ALTER_CONFIGS, code -> new AlterConfigsResponseData().setResponses(List.of(
                new AlterConfigsResponseData.AlterConfigsResourceResponse().setErrorCode(code))));
        assertFound(ApiKey.ALLOCATE_PRODUCER_IDS, code -> new AllocateProducerIdsResponseData().setErrorCode(code));
        assertFound(ApiKey.BROKER_REGISTRATION, code -> new BrokerRegistrationResponseData().setErrorCode(code));
        assertFound(ApiKey.BROKER_HEARTBEAT, code -> new BrokerHeartbeatResponseData().setErrorCode(code));
        assertFound(ApiKey.UNREGISTER_BROKER, code -> new UnregisterBrokerResponseData().setErrorCode(code));
        assertFound(ApiKey.ELECT_LEADERS, code -> new ElectLeadersResponseData().setErrorCode(code));
        assertFound(ApiKey.ELECT_LEADERS, code -> new ElectLeadersResponseData().setReplicaElectionResults(List.of(
                new ElectLeadersResponseData.ReplicaElectionResult().setTopic("a").setPartitionResult(List.of(
                        new ElectLeadersResponseData.PartitionResult().setPartitionId(0).setErrorCode(code))))));
        assertFound(ApiKey.UPDATE_FEATURES, code -> new UpdateFeaturesResponseData().setErrorCode(code));
        assertFound(ApiKey.UPDATE_FEATURES, code -> new UpdateFeaturesResponseData().setResults(List.of(
                new UpdateFeaturesResponseData.UpdatableFeatureResult().setFeature("f").setErrorCode(code))));
        assertFound(ApiKey.DESCRIBE_QUORUM, code -> new DescribeQuorumResponseData().setErrorCode(code));
        assertFound(ApiKey.DESCRIBE_QUORUM, ControllerResponsesTest::quorumPartitionError);
        assertFound(ApiKey.ALTER_PARTITION, code -> new AlterPartitionResponseData().setErrorCode(code));
        assertFound(ApiKey.ALTER_PARTITION, code -> new AlterPartitionResponseData().setTopics(List.of(
                new AlterPartitionResponseData.TopicData().setPartitions(List.of(
                        new AlterPartitionResponseData.PartitionData().setErrorCode(code))))));
    }

    @Test
    void aVoterThatDoesNotLeadAnswersDescribeQuorumNotLeaderOrFollowerAndIsAskedAgain() {
        assertThat(ControllerResponses.isNotController(ApiKey.DESCRIBE_QUORUM,
                quorumPartitionError(Errors.NOT_LEADER_OR_FOLLOWER.code()))).isTrue();
    }

    private static ApiMessage quorumPartitionError(short code) {
        return new DescribeQuorumResponseData().setTopics(List.of(new DescribeQuorumResponseData.TopicData()
                .setTopicName("__cluster_metadata").setPartitions(List.of(
                        new DescribeQuorumResponseData.PartitionData().setErrorCode(code)))));
    }

    private static void assertFound(ApiKey api, java.util.function.Function<Short, ApiMessage> withCode) {
        assertThat(ControllerResponses.isNotController(api, withCode.apply(NOT_CONTROLLER))).as(api.title())
                .isTrue();
        assertThat(ControllerResponses.isNotController(api, withCode.apply(OTHER))).as(api.title()).isFalse();
        assertThat(ControllerResponses.isNotController(api, withCode.apply((short) 0))).as(api.title()).isFalse();
    }

    @Test
    void everyForwardedApiHasAnErrorResponseCarryingTheForwardingError() {
        ForwardingException timedOut = new ForwardingException(Errors.REQUEST_TIMED_OUT, "no answer");
        for (ApiKey api : ControllerResponses.FORWARDED_APIS) {
            ApiMessage response = ControllerResponses.failure(api, api.newRequest(), timedOut);
            assertThat(response.apiKey()).isEqualTo(api);
            assertThat(response.isRequest()).isFalse();
        }
        AlterConfigsResponseData altered = (AlterConfigsResponseData) ControllerResponses.failure(
                ApiKey.ALTER_CONFIGS, new AlterConfigsRequestData().setResources(List.of(
                        new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2)
                                .setResourceName("t"))), timedOut);
        assertThat(altered.responses()).singleElement().satisfies(resource -> {
            assertThat(resource.resourceName()).isEqualTo("t");
            assertThat(resource.errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
            assertThat(resource.errorMessage()).isEqualTo("no answer");
        });
        ElectLeadersResponseData all = (ElectLeadersResponseData) ControllerResponses.failure(ApiKey.ELECT_LEADERS,
                new ElectLeadersRequestData().setTopicPartitions(null), timedOut);
        assertThat(all.errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
        assertThat(all.replicaElectionResults()).isEmpty();
        assertThat(((BrokerHeartbeatResponseData) ControllerResponses.failure(ApiKey.BROKER_HEARTBEAT,
                ApiKey.BROKER_HEARTBEAT.newRequest(), timedOut)).isFenced()).isTrue();
    }
}
