package io.fjord.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.VoteRequestData;
import io.fjord.protocol.message.VoteResponseData;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client side of the codec (requests out, responses in) against the server side (requests in, responses out). */
class ClientCodecTest {

    @Test
    void aRequestEncodedByTheClientDecodesOnTheServer() throws Exception {
        VoteRequestData request = new VoteRequestData().setClusterId("c").setVoterId(2).setTopics(List.of(
                new VoteRequestData.TopicData().setTopicName("__cluster_metadata").setPartitions(List.of(
                        new VoteRequestData.PartitionData().setReplicaEpoch(7).setReplicaId(1).setLastOffset(42)
                                .setLastOffsetEpoch(6).setPreVote(true)))));
        ByteBuffer frame = RequestEncoder.encode(ApiKey.VOTE, (short) 2, 99, "raft-1", request);
        assertThat(frame.getInt()).isEqualTo(frame.remaining());

        DecodedRequest decoded = new RequestDecoder((key, version) -> key == ApiKey.VOTE).decode(frame);

        assertThat(decoded.apiKey()).isEqualTo(ApiKey.VOTE);
        assertThat(decoded.apiVersion()).isEqualTo((short) 2);
        assertThat(decoded.correlationId()).isEqualTo(99);
        assertThat(decoded.clientId()).isEqualTo("raft-1");
        assertThat(decoded.body()).isEqualTo(request);
    }

    @Test
    void aResponseEncodedByTheServerDecodesOnTheClientWithItsRecords() throws Exception {
        ByteBuffer batch = RecordCodec.encode(BatchSpec.plain(5, CompressionType.NONE), List.of(new Record(5, 1L, null,
                ByteBuffer.wrap("v".getBytes(StandardCharsets.UTF_8)), List.of())));
        FetchResponseData response = new FetchResponseData().setResponses(List.of(
                new FetchResponseData.FetchableTopicResponse().setTopic("__cluster_metadata").setPartitions(List.of(
                        new FetchResponseData.PartitionData().setHighWatermark(6)
                                .setRecords(new BufferRecords(batch.duplicate()))))));
        ByteBuffer frame = body(ResponseEncoder.encode(ApiKey.FETCH, (short) 17, 12, response));

        assertThat(ResponseDecoder.correlationId(frame)).isEqualTo(12);
        ApiMessage decoded = ResponseDecoder.decode(ApiKey.FETCH, (short) 17, frame);

        FetchResponseData.PartitionData partition = ((FetchResponseData) decoded).responses().get(0).partitions().get(0);
        assertThat(partition.highWatermark()).isEqualTo(6);
        assertThat(((BufferRecords) partition.records()).buffer()).isEqualTo(batch);
    }

    @Test
    void aTruncatedResponseIsMalformed() {
        ByteBuffer frame = body(ResponseEncoder.encode(ApiKey.VOTE, (short) 2, 3, new VoteResponseData()));
        ByteBuffer truncated = frame.duplicate().limit(frame.limit() - 1);
        assertThatThrownBy(() -> ResponseDecoder.decode(ApiKey.VOTE, (short) 2, truncated))
                .isInstanceOfSatisfying(RequestParseException.class,
                        e -> assertThat(e.reason()).isEqualTo(RequestParseException.Reason.MALFORMED));
        ByteBuffer longer = ByteBuffer.allocate(frame.remaining() + 1).put(frame.duplicate()).put((byte) 0).flip();
        assertThatThrownBy(() -> ResponseDecoder.decode(ApiKey.VOTE, (short) 2, longer))
                .isInstanceOf(RequestParseException.class);
    }

    /** The response's parts joined, without the size prefix. */
    private static ByteBuffer body(EncodedResponse encoded) {
        ByteBuffer all = ByteBuffer.allocate(encoded.sizeBytes());
        for (Object part : encoded.parts()) {
            all.put(((ByteBuffer) part).duplicate());
        }
        all.flip();
        assertThat(all.getInt()).isEqualTo(encoded.sizeBytes() - 4);
        return all.slice();
    }
}
