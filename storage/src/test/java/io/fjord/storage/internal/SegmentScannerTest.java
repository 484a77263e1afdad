package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.TestBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentScannerTest {
    @TempDir
    Path directory;
    private FileChannel channel;
    private final List<Integer> positions = new ArrayList<>();

    @AfterEach
    void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    /** Writes three batches at offsets 0, 2, 5 (one of them larger than 1 KiB). */
    private int writeBatches() throws IOException {
        channel = FileChannel.open(directory.resolve("segment.log"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        ByteBuffer[] batches = {TestBatches.batch(1000, "a", "b"), TestBatches.sized(3, 1500, 2000),
                TestBatches.batch(3000, "c")};
        long offset = 0;
        int position = 0;
        for (ByteBuffer batch : batches) {
            RecordBatch view = RecordBatch.at(batch);
            view.setBaseOffset(offset);
            offset = view.nextOffset();
            positions.add(position);
            position += channel.write(batch, position);
        }
        return position;
    }

    private void write(int position, byte... bytes) throws IOException {
        channel.write(ByteBuffer.wrap(bytes), position);
    }

    private List<Long> baseOffsets(SegmentScanner scanner) {
        List<Long> offsets = new ArrayList<>();
        BatchHeader header;
        while ((header = scanner.next()) != null) {
            offsets.add(header.baseOffset());
        }
        return offsets;
    }

    @Test
    void walksValidBatchesWithAndWithoutCrcChecks() throws IOException {
        int end = writeBatches();
        for (int chunk : new int[] {64, 256, SegmentScanner.SCAN_CHUNK_BYTES}) {
            SegmentScanner scanner = new SegmentScanner(channel, 0, end, true, chunk);
            assertThat(baseOffsets(scanner)).as("chunk %d", chunk).containsExactly(0L, 2L, 5L);
            assertThat(scanner.invalidReason()).isNull();
            assertThat(scanner.position()).isEqualTo(end);
        }
        SegmentScanner fromMiddle = new SegmentScanner(channel, positions.get(1), end, false, 128);
        assertThat(baseOffsets(fromMiddle)).containsExactly(2L, 5L);
    }

    @Test
    void stopsAtABatchFailingItsCrcOnlyWhenCheckingIt() throws IOException {
        int end = writeBatches();
        int corrupt = positions.get(1) + RecordBatch.RECORDS_OFFSET + 100;
        ByteBuffer old = ByteBuffer.allocate(1);
        channel.read(old, corrupt);
        write(corrupt, (byte) (old.get(0) ^ 0x10));
        for (int chunk : new int[] {64, SegmentScanner.SCAN_CHUNK_BYTES}) {
            SegmentScanner checking = new SegmentScanner(channel, 0, end, true, chunk);
            assertThat(baseOffsets(checking)).as("chunk %d", chunk).containsExactly(0L);
            assertThat(checking.invalidReason()).contains("CRC");
            assertThat(checking.position()).isEqualTo(positions.get(1));
        }
        assertThat(baseOffsets(new SegmentScanner(channel, 0, end, false, 256))).containsExactly(0L, 2L, 5L);
    }

    @Test
    void reportsAShortTailAndABatchCutShort() throws IOException {
        int end = writeBatches();
        SegmentScanner shortTail = new SegmentScanner(channel, 0, positions.get(2) + 20, true, 256);
        assertThat(baseOffsets(shortTail)).containsExactly(0L, 2L);
        assertThat(shortTail.invalidReason()).contains("shorter than a batch header");
        assertThat(shortTail.position()).isEqualTo(positions.get(2));

        channel.truncate(end - 3);
        SegmentScanner cut = new SegmentScanner(channel, 0, end - 3, true, 256);
        assertThat(baseOffsets(cut)).containsExactly(0L, 2L);
        assertThat(cut.invalidReason()).contains("runs past");
        // A caller that believes the file is longer than it is still stops cleanly.
        SegmentScanner believing = new SegmentScanner(channel, 0, end, true, 256);
        assertThat(baseOffsets(believing)).containsExactly(0L, 2L);
        assertThat(believing.invalidReason()).isNotNull();
    }

    @Test
    void aHugeClaimedLengthStopsTheWalkWithoutAllocatingIt() throws IOException {
        int end = writeBatches();
        for (int length : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 11, end, -1}) {
            ByteBuffer field = ByteBuffer.allocate(4).putInt(0, length);
            channel.write(field, positions.get(1) + RecordBatch.LENGTH_OFFSET);
            SegmentScanner scanner = new SegmentScanner(channel, 0, end, true, 256);
            assertThat(baseOffsets(scanner)).as("length %d", length).containsExactly(0L);
            assertThat(scanner.invalidReason()).as("length %d", length).isNotNull();
            assertThat(scanner.position()).isEqualTo(positions.get(1));
        }
    }

    @Test
    void zeroBytesAreNotABatch() throws IOException {
        int end = writeBatches();
        write(end, new byte[200]);
        SegmentScanner scanner = new SegmentScanner(channel, 0, end + 200, true, 256);
        assertThat(baseOffsets(scanner)).containsExactly(0L, 2L, 5L);
        assertThat(scanner.invalidReason()).contains("below the header size");
        assertThat(scanner.position()).isEqualTo(end);
    }

    @Test
    void rejectsAWrongMagicAndBackwardOffsets() throws IOException {
        int end = writeBatches();
        write(positions.get(2) + RecordBatch.MAGIC_OFFSET, (byte) 1);
        SegmentScanner magic = new SegmentScanner(channel, 0, end, false, 256);
        assertThat(baseOffsets(magic)).containsExactly(0L, 2L);
        assertThat(magic.invalidReason()).contains("magic");

        write(positions.get(2) + RecordBatch.MAGIC_OFFSET, (byte) 2);
        channel.write(ByteBuffer.allocate(4).putInt(0, -5), positions.get(2) + RecordBatch.LAST_OFFSET_DELTA_OFFSET);
        SegmentScanner offsets = new SegmentScanner(channel, 0, end, false, 256);
        assertThat(baseOffsets(offsets)).containsExactly(0L, 2L);
        assertThat(offsets.invalidReason()).contains("offsets");
    }
}
