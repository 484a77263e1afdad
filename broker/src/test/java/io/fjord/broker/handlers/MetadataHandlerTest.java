package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.MetadataRequestData;
import io.fjord.protocol.message.MetadataResponseData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataHandlerTest {
    private static final RequestContext CONTEXT = new RequestContext(1, "PLAINTEXT", null, 0);

    @TempDir
    Path directory;

    private HandlerFixture fixture;

    @BeforeEach
    void topics() {
        fixture = new HandlerFixture(directory);
        fixture.broker(HandlerFixture.NODE_ID, false, "PLAINTEXT");
        fixture.topic("orders", 2);
        fixture.topic("alpha", 1);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private MetadataResponseData send(MetadataRequestData request, short version) throws Exception {
        MetadataHandler handler = new MetadataHandler(fixture.cache(), false,
                creation -> CompletableFuture.completedFuture(null));
        return (MetadataResponseData) handler.handle(CONTEXT, new DecodedRequest(ApiKey.METADATA, version, 1, "test",
                (short) 1, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anEmptyTopicListAtVersionZeroAsksForEveryTopicAsInKafka() throws Exception {
        MetadataResponseData response = send(new MetadataRequestData().setTopics(new ArrayList<>()), (short) 0);
        assertThat(response.topics()).extracting(MetadataResponseData.MetadataResponseTopic::name)
                .containsExactly("alpha", "orders");
    }

    @Test
    void anEmptyTopicListFromVersionOneAsksForNone() throws Exception {
        assertThat(send(new MetadataRequestData().setTopics(new ArrayList<>()), (short) 1).topics()).isEmpty();
        assertThat(send(new MetadataRequestData().setTopics(null), (short) 1).topics()).hasSize(2);
    }
}
