package io.fjord.storage.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads the offset range of a cleaner's swap file. Stateless and thread-safe. */
final class SwapFiles {
    private SwapFiles() {
    }

    /**
     * The last offset the swap covers: its last batch's last offset. The cleaner guarantees this equals the last
     * offset of the last segment it replaces (writing an empty batch for that offset when cleaning removed the
     * records there), so the range of replaced segments can be read back from the swap file alone. -1 if empty.
     */
    static long lastOffset(Path swap) throws IOException {
        try (FileChannel channel = FileChannel.open(swap, StandardOpenOption.READ)) {
            SegmentScanner scanner = new SegmentScanner(channel, 0, (int) Math.min(channel.size(), Integer.MAX_VALUE),
                    false, SegmentScanner.SCAN_CHUNK_BYTES);
            long last = -1;
            BatchHeader header;
            while ((header = scanner.next()) != null) {
                last = header.lastOffset();
            }
            return last;
        }
    }
}
