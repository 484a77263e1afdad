package io.fjord.protocol.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;

class RecordBatchesTest {
    private static final int PREFIX_BYTES = 5;

    /** Three batches (offsets 0-1, 2-4, 5) behind a prefix that the buffer's position skips. */
    private static ByteBuffer threeBatches() {
        ByteBuffer first = KafkaBatches.buffer(MemoryRecords.withRecords(0L, Compression.NONE, KafkaBatches.records(2)));
        ByteBuffer second = KafkaBatches.buffer(MemoryRecords.withRecords(2L, Compression.gzip().build(),
                KafkaBatches.records(3)));
        ByteBuffer third = KafkaBatches.buffer(MemoryRecords.withRecords(5L, Compression.NONE, KafkaBatches.records(1)));
        ByteBuffer all = ByteBuffer.allocate(PREFIX_BYTES + first.remaining() + second.remaining() + third.remaining());
        all.position(PREFIX_BYTES);
        all.put(first).put(second).put(third);
        all.flip().position(PREFIX_BYTES);
        return all;
    }

    private static List<Long> baseOffsets(ByteBuffer buffer) {
        List<Long> offsets = new ArrayList<>();
        for (RecordBatch batch : RecordBatches.of(buffer)) {
            assertThat(batch.isCrcValid()).isTrue();
            offsets.add(batch.baseOffset());
        }
        return offsets;
    }

    private static int thirdBatchPosition(ByteBuffer buffer) {
        Iterator<RecordBatch> iterator = RecordBatches.of(buffer).iterator();
        iterator.next();
        iterator.next();
        return iterator.next().position();
    }

    @Test
    void yieldsEveryCompleteBatchFromThePosition() {
        ByteBuffer buffer = threeBatches();
        assertThat(baseOffsets(buffer)).containsExactly(0L, 2L, 5L);
        assertThat(buffer.position()).isEqualTo(PREFIX_BYTES);
        assertThat(RecordBatches.of(buffer).iterator().next().position()).isEqualTo(PREFIX_BYTES);
    }

    @Test
    void stopsAtAPartialTrailingBatch() {
        ByteBuffer buffer = threeBatches();
        int third = thirdBatchPosition(buffer);
        for (int cut : new int[] {third + 1, third + RecordBatch.LOG_OVERHEAD_BYTES - 1,
                third + RecordBatch.LOG_OVERHEAD_BYTES, third + RecordBatch.HEADER_SIZE_BYTES, buffer.limit() - 1}) {
            ByteBuffer truncated = buffer.duplicate();
            truncated.limit(cut);
            assertThat(baseOffsets(truncated)).as("cut at %d", cut).containsExactly(0L, 2L);
        }
        ByteBuffer exact = buffer.duplicate();
        exact.limit(third);
        assertThat(baseOffsets(exact)).containsExactly(0L, 2L);
    }

    @Test
    void stopsAtANegativeOrTooSmallLength() {
        ByteBuffer buffer = threeBatches();
        int third = thirdBatchPosition(buffer);
        buffer.putInt(third + RecordBatch.LENGTH_OFFSET, -1);
        assertThat(baseOffsets(buffer)).containsExactly(0L, 2L);
        buffer.putInt(third + RecordBatch.LENGTH_OFFSET, 3);
        assertThat(baseOffsets(buffer)).containsExactly(0L, 2L);
    }

    @Test
    void emptyBufferHasNoBatchesAndNextThrows() {
        Iterator<RecordBatch> iterator = RecordBatches.of(ByteBuffer.allocate(0)).iterator();
        assertThat(iterator.hasNext()).isFalse();
        assertThatThrownBy(iterator::next).isInstanceOf(NoSuchElementException.class);

        ByteBuffer buffer = threeBatches();
        Iterator<RecordBatch> exhausted = RecordBatches.of(buffer).iterator();
        exhausted.next();
        exhausted.next();
        exhausted.next();
        assertThat(exhausted.hasNext()).isFalse();
        assertThatThrownBy(exhausted::next).isInstanceOf(NoSuchElementException.class);
    }
}
