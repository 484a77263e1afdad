package io.fjord.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.DescribeQuorumRequestData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ControllerChannelsTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicBoolean active = new AtomicBoolean(true);
    private volatile Errors localError = Errors.NONE;

    private final ControllerChannel local = (api, request) -> {
        calls.add("local " + api.title());
        return CompletableFuture.completedFuture(answer(localError));
    };
    private final ControllerChannel forwarding = (api, request) -> {
        calls.add("forwarded " + api.title());
        return CompletableFuture.completedFuture(answer(Errors.NONE));
    };
    private final ControllerChannel routing = ControllerChannels.routing(local, ControllerApis.APIS, forwarding,
            active::get);

    private static ApiMessage answer(Errors error) {
        return new CreateTopicsResponseData().setTopics(List.of(new CreateTopicsResponseData.CreatableTopicResult()
                .setName("a").setErrorCode(error.code())));
    }

    @Test
    void decidedInProcessWhileActiveAndForwardedOtherwise() {
        routing.send(ApiKey.CREATE_TOPICS, new CreateTopicsRequestData()).join();
        active.set(false);
        routing.send(ApiKey.CREATE_TOPICS, new CreateTopicsRequestData()).join();

        assertThat(calls).containsExactly("local CreateTopics", "forwarded CreateTopics");
    }

    @Test
    void anApiTheLocalControllerDoesNotDecideIsForwardedEvenWhileActive() {
        routing.send(ApiKey.DESCRIBE_QUORUM, new DescribeQuorumRequestData()).join();

        assertThat(calls).containsExactly("forwarded DescribeQuorum");
    }

    @Test
    void aLocalNotControllerIsForwardedAfterAll() {
        localError = Errors.NOT_CONTROLLER;

        CreateTopicsResponseData response = (CreateTopicsResponseData) routing.send(ApiKey.CREATE_TOPICS,
                new CreateTopicsRequestData()).join();

        assertThat(calls).containsExactly("local CreateTopics", "forwarded CreateTopics");
        assertThat(response.topics().get(0).errorCode()).isZero();
    }
}
