package io.fjord.bench.network;

import io.fjord.broker.network.client.ResponseFrameDecoder;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchResponseData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a follower's inter-broker connection spends to turn the bytes of one Fetch response, as the socket delivers
 * them (64 KiB reads into pooled direct buffers), into the decoded response the replica fetcher appends from: one
 * response of {@code partitions} partitions with {@code partitionBytes} of records each, at the latest Fetch version.
 *
 * <ul>
 *   <li>{@link #lengthFieldDecoderAndCopy}: the pipeline before session 8: Netty's length-field decoder gathers the
 *       reads in a growing cumulation buffer, then the handler copies the frame into a new byte array and decodes.
 *   <li>{@link #frameDecoder}: {@link ResponseFrameDecoder}, which copies each read once into a heap buffer of exactly
 *       the frame's size, then the same decoding.
 * </ul>
 *
 * Scores are microseconds per response; {@code -prof gc} adds the bytes allocated per response. One thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+UseG1GC"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class FetchResponseReceiveBenchmark {
    private static final int READ_BYTES = 64 * 1024;
    private static final int FRAME_BYTES_MAX = 100 * 1024 * 1024;

    @Param({"6"})
    public int partitions;

    @Param({"16384", "262144"})
    public int partitionBytes;

    private short version;
    private byte[] stream;
    private EmbeddedChannel before;
    private EmbeddedChannel after;
    private Blackhole blackhole;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        version = KafkaApiVersions.latest(ApiKey.FETCH);
        Random random = new Random(1);
        List<FetchResponseData.PartitionData> partitionData = new ArrayList<>();
        for (int index = 0; index < partitions; index++) {
            byte[] records = new byte[partitionBytes];
            random.nextBytes(records);
            partitionData.add(new FetchResponseData.PartitionData().setPartitionIndex(index).setHighWatermark(1000)
                    .setRecords(new BufferRecords(ByteBuffer.wrap(records))));
        }
        FetchResponseData response = new FetchResponseData().setResponses(List.of(
                new FetchResponseData.FetchableTopicResponse().setTopicId(new UUID(1, 2))
                        .setPartitions(partitionData)));
        EncodedResponse encoded = ResponseEncoder.encode(ApiKey.FETCH, version, 7, response);
        ByteBuffer joined = ByteBuffer.allocate(encoded.sizeBytes());
        for (Object part : encoded.parts()) {
            joined.put(((ByteBuffer) part).duplicate());
        }
        stream = joined.array();
        before = new EmbeddedChannel(new LengthFieldBasedFrameDecoder(FRAME_BYTES_MAX, 0, 4, 0, 4, true),
                new CopyingHandler());
        after = new EmbeddedChannel(new ResponseFrameDecoder(FRAME_BYTES_MAX), new DecodingHandler());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        before.finishAndReleaseAll();
        after.finishAndReleaseAll();
    }

    @Benchmark
    public void lengthFieldDecoderAndCopy() {
        receive(before);
    }

    @Benchmark
    public void frameDecoder() {
        receive(after);
    }

    /** The socket's reads: each into a pooled direct buffer, as the event loop's read does. */
    private void receive(EmbeddedChannel channel) {
        for (int offset = 0; offset < stream.length; offset += READ_BYTES) {
            int length = Math.min(READ_BYTES, stream.length - offset);
            ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(length);
            read.writeBytes(stream, offset, length);
            channel.writeInbound(read);
        }
    }

    private void decode(ByteBuffer frame) {
        try {
            ApiMessage decoded = ResponseDecoder.decode(ApiKey.FETCH, version, frame);
            blackhole.consume(decoded);
        } catch (RequestParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The handler before session 8: the frame copied out of Netty's memory into a byte array, then decoded. */
    private final class CopyingHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext context, ByteBuf frameBytes) {
            byte[] bytes = new byte[frameBytes.readableBytes()];
            frameBytes.readBytes(bytes);
            decode(ByteBuffer.wrap(bytes));
        }
    }

    private final class DecodingHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object frame) {
            decode((ByteBuffer) frame);
        }
    }
}
