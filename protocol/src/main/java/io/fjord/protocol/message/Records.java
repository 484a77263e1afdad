package io.fjord.protocol.message;

/**
 * The record batches carried by a {@code records} field (Produce, Fetch, FetchSnapshot): either bytes in memory or a
 * region of a file that the network layer sends with zero copy.
 */
public sealed interface Records permits BufferRecords, FileRegionRecords {
    int sizeInBytes();
}
