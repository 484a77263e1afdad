package io.fjord.protocol.message;

import java.nio.channels.FileChannel;

/**
 * Record batches in a region of an open file, sent with zero copy. {@code release} runs once the region has been
 * sent or dropped, so the log may close the file. Thread-safe; the channel is only read with positional reads.
 */
public record FileRegionRecords(FileChannel channel, long position, int sizeInBytes, Runnable release)
        implements Records {
}
