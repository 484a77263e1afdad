package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.FileRegionRecords;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResponseResourcesTest {
    @Test
    void releasesEveryFileRegionOfADroppedFetchResponse() {
        AtomicInteger released = new AtomicInteger();
        FetchResponseData response = new FetchResponseData().setResponses(List.of(
                new FetchResponseData.FetchableTopicResponse().setPartitions(List.of(
                        new FetchResponseData.PartitionData().setRecords(
                                new FileRegionRecords(null, 0, 10, released::incrementAndGet)),
                        new FetchResponseData.PartitionData().setRecords(new BufferRecords(ByteBuffer.allocate(3))),
                        new FetchResponseData.PartitionData().setRecords(
                                new FileRegionRecords(null, 5, 10, released::incrementAndGet))))));
        ResponseResources.release(response);
        assertThat(released).hasValue(2);
    }
}
