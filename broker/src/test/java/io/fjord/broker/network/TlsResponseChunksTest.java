package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.network.tls.TlsChannelSecurity;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.message.FileRegionRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A response with file regions read for a TLS connection: chunks of whole TLS records across the response's parts,
 * the exact bytes in order, and each region's segment reference handed back once.
 */
class TlsResponseChunksTest {
    private static final UnpooledByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(true);

    @RegisterExtension
    final RandomSegmentFile segmentFile = new RandomSegmentFile(300_000, 7);
    private final AtomicInteger firstReleases = new AtomicInteger();
    private final AtomicInteger secondReleases = new AtomicInteger();

    /** Header buffers of odd sizes between two regions, as a two-partition fetch response has them. */
    private EncodedResponse response() {
        FileChannel channel = segmentFile.channel();
        List<Object> parts = List.of(buffer(37, 1), new FileRegionRecords(channel, 11, 100_003,
                firstReleases::incrementAndGet), buffer(20, 2), new FileRegionRecords(channel, 150_000, 50_000,
                secondReleases::incrementAndGet), buffer(9, 3));
        return new EncodedResponse(parts, 37 + 100_003 + 20 + 50_000 + 9);
    }

    private static ByteBuffer buffer(int size, int fill) {
        byte[] bytes = new byte[size + 2];
        Arrays.fill(bytes, (byte) fill);
        return ByteBuffer.wrap(bytes, 1, size); // a position past 0, as an encoder's slice may have
    }

    private byte[] expected() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(filled(37, 1), 0, 37);
        out.write(segmentFile.bytes(), 11, 100_003);
        out.write(filled(20, 2), 0, 20);
        out.write(segmentFile.bytes(), 150_000, 50_000);
        out.write(filled(9, 3), 0, 9);
        return out.toByteArray();
    }

    private static byte[] filled(int size, int fill) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) fill);
        return bytes;
    }

    @Test
    void chunksHoldWholeTlsRecordsAcrossPartsAndTheExactBytes() throws Exception {
        TlsResponseChunks chunks = new TlsResponseChunks(response());
        assertThat(chunks.length()).isEqualTo(150_069);
        List<Integer> sizes = new ArrayList<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (!chunks.isEndOfInput()) {
            ByteBuf chunk = chunks.readChunk(ALLOCATOR);
            sizes.add(chunk.readableBytes());
            byte[] bytes = new byte[chunk.readableBytes()];
            chunk.readBytes(bytes);
            received.write(bytes, 0, bytes.length);
            chunk.release();
        }
        assertThat(TlsResponseChunks.CHUNK_BYTES % TlsChannelSecurity.RECORD_PLAINTEXT_BYTES).isZero();
        // Every chunk but the last is whole records, so the TLS handler never copies pieces of two chunks together.
        assertThat(sizes).containsExactly(TlsResponseChunks.CHUNK_BYTES, TlsResponseChunks.CHUNK_BYTES,
                150_069 - 2 * TlsResponseChunks.CHUNK_BYTES);
        assertThat(received.toByteArray()).isEqualTo(expected());
        assertThat(chunks.progress()).isEqualTo(chunks.length());
        assertThat(chunks.readChunk(ALLOCATOR)).isNull();
        assertThat(firstReleases.get()).isEqualTo(1);
        assertThat(secondReleases.get()).isEqualTo(1);
        chunks.close();
        assertThat(firstReleases.get()).isEqualTo(1);
        assertThat(secondReleases.get()).isEqualTo(1);
    }

    @Test
    void aRegionIsReleasedOnceItsLastByteWasRead() throws Exception {
        TlsResponseChunks chunks = new TlsResponseChunks(response());
        chunks.readChunk(ALLOCATOR).release(); // bytes 0..65535: inside the first region
        assertThat(firstReleases.get()).isZero();
        chunks.readChunk(ALLOCATOR).release(); // up to 131071: past the first region's end (100,040)
        assertThat(firstReleases.get()).isEqualTo(1);
        assertThat(secondReleases.get()).isZero();
    }

    @Test
    void closingBeforeTheEndReleasesEveryRegionOnce() throws Exception {
        TlsResponseChunks chunks = new TlsResponseChunks(response());
        chunks.readChunk(ALLOCATOR).release();
        chunks.close();
        chunks.close();
        assertThat(firstReleases.get()).isEqualTo(1);
        assertThat(secondReleases.get()).isEqualTo(1);
        assertThat(chunks.readChunk(ALLOCATOR)).isNull();
    }

    @Test
    void aSegmentShorterThanItsRegionFailsTheChunk() throws Exception {
        AtomicInteger releases = new AtomicInteger();
        TlsResponseChunks chunks = new TlsResponseChunks(new EncodedResponse(List.of(buffer(4, 1),
                new FileRegionRecords(segmentFile.channel(), 290_000, 20_000, releases::incrementAndGet)), 20_004));
        assertThatThrownBy(() -> chunks.readChunk(ALLOCATOR)).isInstanceOf(EOFException.class)
                .hasMessageContaining("10000 bytes early");
        chunks.close();
        assertThat(releases.get()).isEqualTo(1);
    }

    @Test
    void onlyResponsesWithFileRegionsAreChunked() {
        assertThat(TlsResponseChunks.hasFileRegions(response())).isTrue();
        assertThat(TlsResponseChunks.hasFileRegions(new EncodedResponse(List.of(buffer(10, 1)), 10))).isFalse();
    }
}
