package io.fjord.broker.network;

import io.fjord.protocol.message.FileRegionRecords;
import io.netty.buffer.ByteBuf;
import java.io.EOFException;
import java.io.IOException;

/**
 * Copies bytes of a response's file region into a buffer, for the responses that cannot go out with zero copy (small
 * ones, copied whole; TLS ones, copied in chunks). Stateless and thread-safe: the file is read with positional reads
 * only.
 */
final class FileRegionReads {
    private FileRegionReads() {
    }

    /**
     * Appends {@code count} bytes of {@code region}, from {@code offsetBytes} into it, to {@code target}.
     *
     * @throws EOFException when the file ends first: its segment was truncated under the region, and the response
     *                      cannot be completed
     */
    static void readInto(FileRegionRecords region, long offsetBytes, int count, ByteBuf target) throws IOException {
        long position = region.position() + offsetBytes;
        int read = 0;
        while (read < count) {
            int bytes = target.writeBytes(region.channel(), position + read, count - read);
            if (bytes < 0) {
                throw new EOFException("segment file ended " + (region.sizeInBytes() - offsetBytes - read)
                        + " bytes early");
            }
            read += bytes;
        }
    }
}
