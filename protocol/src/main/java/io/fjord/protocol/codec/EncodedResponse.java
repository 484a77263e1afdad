package io.fjord.protocol.codec;

import io.fjord.protocol.message.FileRegionRecords;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A response ready to send: the 4-byte size prefix, header and body as buffers, interleaved with file regions of
 * record data that the network layer sends with zero copy. Parts are {@link ByteBuffer} or {@link FileRegionRecords},
 * in wire order. Immutable once built; the buffers must not be written.
 */
public record EncodedResponse(List<Object> parts, int sizeBytes) {
    /** Runs every file region's release, for a response that will not be sent. */
    public void release() {
        for (Object part : parts) {
            if (part instanceof FileRegionRecords region) {
                region.release().run();
            }
        }
    }
}
