package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.network.tls.TlsChannelSecurity;
import io.fjord.protocol.message.FileRegionRecords;
import io.fjord.raft.transport.ChannelSecurity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an encrypted connection hands its TLS handler for a fetch response with file regions: buffers of whole TLS
 * records (the last one aside), so the handler cuts records by slicing instead of copying straddling pieces together.
 */
class TlsResponseWritesTest {
    /** Encrypted, but with no TLS handler: the test stands in its place at the head of the pipeline. */
    private static final ChannelSecurity ENCRYPTED = new ChannelSecurity() {
        @Override
        public void secureAccepted(Channel channel) {
        }

        @Override
        public void secureConnecting(Channel channel, String peerHost, int peerPort) {
        }

        @Override
        public boolean isEncrypted() {
            return true;
        }
    };

    @Test
    void aFetchResponseReachesTheTlsHandlerInWholeRecords(@TempDir Path directory) throws Exception {
        Path segment = Files.write(directory.resolve("00000000000000000000.log"), new byte[400_000]);
        List<Integer> writtenSizes = new ArrayList<>();
        AtomicInteger releases = new AtomicInteger();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("tls", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
                writtenSizes.add(((ByteBuf) message).readableBytes());
                ((ByteBuf) message).release();
                promise.setSuccess();
            }
        });
        channel.pipeline().addLast("chunks", new ChunkedWriteHandler());
        TestDispatcher dispatcher = new TestDispatcher();
        ConnectionHandler requests = new ConnectionHandler(1, "SSL", dispatcher, new RequestMemoryPool(1 << 20),
                new ReadGate(channel), 10, new InFlightTracker(), ConnectionLog.withDefaults(),
                (thread, error) -> { }, ENCRYPTED, null, 0);
        channel.pipeline().addLast("requests", requests);
        try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ)) {
            byte[] request = KafkaWire.request(ApiKeys.FETCH, (short) 12, 1, new FetchRequestData()
                    .setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1));
            requests.frameReceived(new Frame(Unpooled.wrappedBuffer(Arrays.copyOfRange(request, 4, request.length)),
                    0));
            // Two partitions: header buffers before, between and after the regions, as a real fetch has them.
            dispatcher.nextSlowRequest().response().complete(new io.fjord.protocol.message.FetchResponseData()
                    .setResponses(List.of(new io.fjord.protocol.message.FetchResponseData.FetchableTopicResponse()
                            .setTopic("topic").setPartitions(List.of(
                                    partition(0, new FileRegionRecords(file, 3, 150_001, releases::incrementAndGet)),
                                    partition(1, new FileRegionRecords(file, 200_000, 120_000,
                                            releases::incrementAndGet)))))));
            channel.runPendingTasks();
            channel.flush();

            assertThat(writtenSizes).isNotEmpty();
            int total = writtenSizes.stream().mapToInt(Integer::intValue).sum();
            assertThat(total).isGreaterThan(270_001);
            for (int size : writtenSizes.subList(0, writtenSizes.size() - 1)) {
                assertThat(size % TlsChannelSecurity.RECORD_PLAINTEXT_BYTES).as("sizes %s", writtenSizes).isZero();
            }
            assertThat(releases.get()).isEqualTo(2);
        }
        channel.finishAndReleaseAll();
    }

    private static io.fjord.protocol.message.FetchResponseData.PartitionData partition(int index,
                                                                                      FileRegionRecords records) {
        return new io.fjord.protocol.message.FetchResponseData.PartitionData().setPartitionIndex(index)
                .setHighWatermark(5).setLastStableOffset(5).setRecords(records);
    }
}
