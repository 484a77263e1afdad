package io.fjord.metadata.sim;

import io.fjord.raft.DurableState;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.SnapshotChunk;
import io.fjord.raft.SnapshotReader;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One simulated node's metadata-log storage, the Raft simulation's disk cut to what this simulation needs: the log
 * from its start offset (with how much of it is flushed), the durable state, the latest snapshot (written whole and
 * durable before the core hears of it) and a partial snapshot being fetched. A crash keeps the durable state, the
 * snapshot, the flushed entries and a random part of the unflushed tail; the partial snapshot is lost.
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class SimLog implements SnapshotReader {
    private final List<LogEntry> entries = new ArrayList<>();
    long startOffset;
    long flushedEndOffset;
    DurableState durableState = DurableState.INITIAL;
    OffsetAndEpoch snapshotId;
    byte[] snapshot;
    private OffsetAndEpoch partialId;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    long endOffset() {
        return startOffset + entries.size();
    }

    /** The entry at {@code offset}; null below the log start (a snapshot covers it) or past the end. */
    LogEntry entry(long offset) {
        return offset < startOffset || offset >= endOffset() ? null : entries.get((int) (offset - startOffset));
    }

    List<LogEntry> entries() {
        return List.copyOf(entries);
    }

    void truncateTo(long offset) {
        entries.subList((int) (offset - startOffset), entries.size()).clear();
        flushedEndOffset = Math.min(flushedEndOffset, offset);
    }

    void append(LogEntry entry) {
        if (entry.offset() != endOffset()) {
            throw new AssertionError("append of offset " + entry.offset() + " at log end " + endOffset());
        }
        entries.add(entry);
    }

    void flush() {
        flushedEndOffset = endOffset();
    }

    /** Drops the entries below {@code offset} (a snapshot covers them). */
    void deletePrefix(long offset) {
        if (offset <= startOffset) {
            return;
        }
        entries.subList(0, (int) Math.min(entries.size(), offset - startOffset)).clear();
        startOffset = offset;
        flushedEndOffset = Math.max(flushedEndOffset, offset);
    }

    void saveSnapshot(OffsetAndEpoch id, byte[] bytes) {
        snapshotId = id;
        snapshot = bytes;
    }

    void writeChunk(SnapshotChunk chunk) {
        if (chunk.position() == 0) {
            partial.reset();
            partialId = chunk.snapshotId();
        }
        if (!chunk.snapshotId().equals(partialId) || chunk.position() != partial.size()) {
            throw new AssertionError("chunk " + chunk + " does not continue partial snapshot " + partialId + " of "
                    + partial.size() + " bytes");
        }
        partial.write(chunk.bytes(), 0, chunk.bytes().length);
    }

    /** The partial snapshot {@code id} is complete: it becomes the latest and the log restarts empty at its end. */
    void installPartial(OffsetAndEpoch id) {
        if (!id.equals(partialId)) {
            throw new AssertionError("install of " + id + " but the partial snapshot is " + partialId);
        }
        saveSnapshot(id, partial.toByteArray());
        partial.reset();
        partialId = null;
        entries.clear();
        startOffset = id.offset();
        flushedEndOffset = startOffset;
    }

    /** Loses a random part of the unflushed tail and the partial snapshot; returns the surviving end offset. */
    long crash(Random random) {
        long unflushed = endOffset() - flushedEndOffset;
        long survivingEnd = flushedEndOffset + (unflushed == 0 ? 0 : random.nextLong(unflushed + 1));
        truncateTo(survivingEnd);
        flushedEndOffset = survivingEnd;
        partial.reset();
        partialId = null;
        return survivingEnd;
    }

    @Override
    public long sizeInBytes(OffsetAndEpoch id) {
        return id.equals(snapshotId) ? snapshot.length : -1;
    }

    @Override
    public byte[] read(OffsetAndEpoch id, long position, int maxBytes) {
        if (!id.equals(snapshotId)) {
            throw new AssertionError("read of snapshot " + id + " but the log has " + snapshotId);
        }
        return Arrays.copyOfRange(snapshot, (int) position, (int) Math.min(snapshot.length, position + maxBytes));
    }
}
