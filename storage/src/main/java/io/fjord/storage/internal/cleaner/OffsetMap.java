package io.fjord.storage.internal.cleaner;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A fixed-size map from a record key to the latest offset seen for it, in the memory of Kafka's dedupe buffer: keys
 * are stored as their 16-byte MD5 digest next to an 8-byte offset, in an open-addressing table probed linearly. Two
 * keys with the same digest count as one key (with MD5 this is negligible). The map reports itself full at the load
 * factor, and a clean then covers only the offsets the map reached.
 *
 * <p>Not thread-safe: each cleaner thread owns one map.
 */
public final class OffsetMap {
    private static final int DIGEST_BYTES = 16;
    private static final int SLOT_BYTES = DIGEST_BYTES + Long.BYTES;

    private final byte[] table;
    private final ByteBuffer view;
    private final int slots;
    private final int maxEntries;
    private final MessageDigest digest;
    private final byte[] hash = new byte[DIGEST_BYTES];
    private int entries;
    private long latestOffset = -1;

    /**
     * @param memoryBytes memory for the table; it holds {@code memoryBytes / 24} slots
     * @param loadFactor  share of the slots that may be used before the map counts as full
     */
    public OffsetMap(long memoryBytes, double loadFactor) {
        long slotCount = Math.min(memoryBytes / SLOT_BYTES, Integer.MAX_VALUE / SLOT_BYTES);
        if (slotCount < 2) {
            throw new IllegalArgumentException("an offset map of " + memoryBytes + " bytes holds fewer than 2 slots");
        }
        this.slots = (int) slotCount;
        // One slot always stays empty so that a probe for an absent key ends.
        this.maxEntries = Math.max(1, Math.min(slots - 1, (int) (slots * loadFactor)));
        this.table = new byte[slots * SLOT_BYTES];
        this.view = ByteBuffer.wrap(table);
        try {
            this.digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    /** Entries the map accepts before it is full. */
    public int capacity() {
        return maxEntries;
    }

    public int size() {
        return entries;
    }

    /** Whether {@code keys} more distinct keys would still fit. */
    public boolean hasRoomFor(int keys) {
        return (long) entries + keys <= maxEntries;
    }

    /** The largest offset put since the last clear, or -1. */
    public long latestOffset() {
        return latestOffset;
    }

    public void clear() {
        Arrays.fill(table, (byte) 0);
        entries = 0;
        latestOffset = -1;
    }

    /** Records {@code offset} as the latest for {@code key}; offsets must not go backwards for a key. */
    public void put(ByteBuffer key, long offset) {
        hashInto(key);
        int slot = findSlot();
        if (storedOffset(slot) < 0) {
            if (entries >= maxEntries) {
                throw new IllegalStateException("offset map is full at " + entries + " entries");
            }
            System.arraycopy(hash, 0, table, slot * SLOT_BYTES, DIGEST_BYTES);
            entries++;
        }
        // Offsets are stored plus one so that an all-zero slot means empty.
        view.putLong(slot * SLOT_BYTES + DIGEST_BYTES, offset + 1);
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The latest offset recorded for {@code key}, or -1 if none. */
    public long get(ByteBuffer key) {
        hashInto(key);
        return storedOffset(findSlot());
    }

    private void hashInto(ByteBuffer key) {
        digest.reset();
        digest.update(key.duplicate());
        try {
            digest.digest(hash, 0, DIGEST_BYTES);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The slot holding the current hash, or the empty slot where it would go. */
    private int findSlot() {
        int start = Math.floorMod(ByteBuffer.wrap(hash).getInt(0), slots);
        int slot = start;
        while (true) {
            if (storedOffset(slot) < 0 || Arrays.equals(table, slot * SLOT_BYTES, slot * SLOT_BYTES + DIGEST_BYTES,
                    hash, 0, DIGEST_BYTES)) {
                return slot;
            }
            slot = slot + 1 == slots ? 0 : slot + 1;
            if (slot == start) {
                throw new IllegalStateException("offset map has no free slot");
            }
        }
    }

    private long storedOffset(int slot) {
        return view.getLong(slot * SLOT_BYTES + DIGEST_BYTES) - 1;
    }
}
