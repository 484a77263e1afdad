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
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Scores are microseconds per response; {@code -prof gc} adds the bytes allocated per response. One thread. On a
 * machine shared with other work the wall times scatter too much to compare; {@link #main} measures this thread's
 * CPU time per response instead, alternating the two pipelines: {@code java -cp bench/target/fjord-bench.jar
 * io.fjord.bench.network.FetchResponseReceiveBenchmark [partitionBytes [responses [rounds]]]}.
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
    /** The last response decoded, returned so that the decoding is not optimised away. */
    private ApiMessage decoded;

    @Setup(Level.Trial)
    public void setUp() {
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
    public ApiMessage lengthFieldDecoderAndCopy() {
        receive(before);
        return decoded;
    }

    @Benchmark
    public ApiMessage frameDecoder() {
        receive(after);
        return decoded;
    }

    /** CPU time per response of both pipelines, alternating, the median of the rounds after 3 warm-up rounds. */
    public static void main(String[] args) {
        FetchResponseReceiveBenchmark benchmark = new FetchResponseReceiveBenchmark();
        benchmark.partitions = 6;
        benchmark.partitionBytes = args.length > 0 ? Integer.parseInt(args[0]) : 262144;
        int responses = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        benchmark.setUp();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] beforeMicros = new double[rounds];
        double[] afterMicros = new double[rounds];
        for (int round = -3; round < rounds; round++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int response = 0; response < responses; response++) {
                benchmark.lengthFieldDecoderAndCopy();
            }
            long middle = threads.getCurrentThreadCpuTime();
            for (int response = 0; response < responses; response++) {
                benchmark.frameDecoder();
            }
            long end = threads.getCurrentThreadCpuTime();
            if (round >= 0) {
                beforeMicros[round] = (middle - start) / 1e3 / responses;
                afterMicros[round] = (end - middle) / 1e3 / responses;
            }
        }
        benchmark.tearDown();
        Arrays.sort(beforeMicros);
        Arrays.sort(afterMicros);
        System.out.printf("response of %d bytes: CPU per response, median of %d rounds (min): "
                + "lengthFieldDecoderAndCopy %.1f us (%.1f), frameDecoder %.1f us (%.1f)%n", benchmark.stream.length,
                rounds, beforeMicros[rounds / 2], beforeMicros[0], afterMicros[rounds / 2], afterMicros[0]);
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
            decoded = ResponseDecoder.decode(ApiKey.FETCH, version, frame);
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
