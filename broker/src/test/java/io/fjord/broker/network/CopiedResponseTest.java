package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.message.FileRegionRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A small response with file regions copied into one buffer: the exact bytes in wire order, each region's segment
 * reference handed back once, and what is copied and what keeps zero copy.
 */
class CopiedResponseTest {
    private final List<ByteBuf> allocated = new ArrayList<>();
    /** Unpooled direct buffers, each kept to check it was released. */
    private final ByteBufAllocator allocator = new AbstractByteBufAllocator(true) {
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buffer = Unpooled.directBuffer(initialCapacity, maxCapacity);
            allocated.add(buffer);
            return buffer;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    };

    @RegisterExtension
    final RandomSegmentFile segmentFile = new RandomSegmentFile(40_000, 11);
    private final AtomicInteger firstReleases = new AtomicInteger();
    private final AtomicInteger secondReleases = new AtomicInteger();

    /** Header buffers between two regions, as a follower's fetch of two partitions has them. */
    private EncodedResponse response(int secondPosition, int secondSize) {
        List<Object> parts = List.of(ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 4}, 1, 3),
                new FileRegionRecords(segmentFile.channel(), 7, 16_000, firstReleases::incrementAndGet),
                ByteBuffer.wrap(new byte[] {5, 6}),
                new FileRegionRecords(segmentFile.channel(), secondPosition, secondSize,
                        secondReleases::incrementAndGet));
        return new EncodedResponse(parts, 3 + 16_000 + 2 + secondSize);
    }

    @Test
    void theWholeResponseIsCopiedInOrderAndEveryRegionIsReleasedOnce() throws Exception {
        ByteBuf whole = CopiedResponse.copy(response(20_000, 12_345), allocator);
        try {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(new byte[] {1, 2, 3});
            expected.write(segmentFile.bytes(), 7, 16_000);
            expected.write(new byte[] {5, 6});
            expected.write(segmentFile.bytes(), 20_000, 12_345);
            assertThat(whole.isDirect()).isTrue();
            assertThat(ByteBufUtil.getBytes(whole)).isEqualTo(expected.toByteArray());
        } finally {
            whole.release();
        }
        assertThat(firstReleases).hasValue(1);
        assertThat(secondReleases).hasValue(1);
    }

    @Test
    void aRegionCutShortByATruncatedSegmentFailsTheCopyAndStillReleasesEverything() {
        // The second region names bytes past the end of the file, as after a truncation under the reader.
        EncodedResponse response = response(39_000, 5_000);

        assertThatThrownBy(() -> CopiedResponse.copy(response, allocator)).isInstanceOf(EOFException.class)
                .hasMessageContaining("4000 bytes early");
        assertThat(firstReleases).hasValue(1);
        assertThat(secondReleases).hasValue(1);
        assertThat(allocated).hasSize(1).allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
    }

    @Test
    void onlySmallResponsesWithFileRegionsOrSeveralBuffersAreCopied() {
        assertThat(CopiedResponse.worthCopying(response(20_000, 12_345))).isTrue();
        int largest = CopiedResponse.COPIED_BYTES_MAX - 3 - 16_000 - 2;
        assertThat(CopiedResponse.worthCopying(new EncodedResponse(response(0, largest).parts(),
                CopiedResponse.COPIED_BYTES_MAX))).isTrue();
        assertThat(CopiedResponse.worthCopying(new EncodedResponse(response(0, largest + 1).parts(),
                CopiedResponse.COPIED_BYTES_MAX + 1))).isFalse();
        // A response of one buffer goes out as it is; several (records the log held in memory) are copied whole.
        assertThat(CopiedResponse.worthCopying(new EncodedResponse(List.of(ByteBuffer.allocate(8)), 8))).isFalse();
        assertThat(CopiedResponse.worthCopying(new EncodedResponse(
                List.of(ByteBuffer.allocate(8), ByteBuffer.allocate(16_000).asReadOnlyBuffer()), 16_008))).isTrue();
        assertThat(CopiedResponse.worthCopying(new EncodedResponse(List.of(ByteBuffer.allocate(8),
                ByteBuffer.allocate(CopiedResponse.COPIED_BYTES_MAX)), CopiedResponse.COPIED_BYTES_MAX + 8))).isFalse();
    }
}
