package io.fjord.broker.network;

import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.message.FileRegionRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A small response in parts, copied whole into one direct buffer and sent with one write. Sent as parts, it takes a
 * {@code writev} for each run of buffers and a {@code sendfile} for each file region: five system calls for a
 * follower's fetch of two partitions, against one read per region and one write here. On a loaded machine (and more
 * on a virtual one) each system call costs more than copying a few kilobytes that the page cache holds; large
 * responses keep zero copy. Record data the log held in memory (its active segments' recent appends) arrives as
 * buffers: one pooled buffer for the whole response then replaces a direct copy of each heap part that the socket
 * would make.
 *
 * <p>Stateless and thread-safe; each call releases the regions of the response it copies.
 */
final class CopiedResponse {
    /** Responses up to this size (with their file regions) are copied; larger ones are sent with zero copy. */
    static final int COPIED_BYTES_MAX = 64 * 1024;

    private CopiedResponse() {
    }

    /**
     * Whether {@code response} is in several parts (file regions or buffers of records; its size and header always
     * come first, so a response with records has at least two) and small enough to copy.
     */
    static boolean worthCopying(EncodedResponse response) {
        return response.sizeBytes() <= COPIED_BYTES_MAX && response.parts().size() > 1;
    }

    /**
     * The whole response in one direct buffer; every file region is released, whether the copy succeeds or not.
     *
     * @throws IOException when a region cannot be read whole (its segment was truncated under it)
     */
    static ByteBuf copy(EncodedResponse response, ByteBufAllocator allocator) throws IOException {
        ByteBuf whole = allocator.directBuffer(response.sizeBytes(), response.sizeBytes());
        boolean copied = false;
        try {
            for (Object part : response.parts()) {
                if (part instanceof ByteBuffer buffer) {
                    whole.writeBytes(buffer.duplicate());
                } else {
                    FileRegionRecords region = (FileRegionRecords) part;
                    FileRegionReads.readInto(region, 0, region.sizeInBytes(), whole);
                }
            }
            copied = true;
            return whole;
        } finally {
            response.release();
            if (!copied) {
                whole.release();
            }
        }
    }
}
