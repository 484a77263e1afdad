package io.fjord.storage.internal;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogCorruptionException;
import io.fjord.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One segment of a partition log: a file of batches starting at a base offset, with its offset and time indexes.
 *
 * <p>Thread-safety: appends, truncation, roll and recovery run only under the owning log's append lock (one writer).
 * Readers run concurrently: they {@link #acquire()} the segment, which opens its file and indexes if a handle cache
 * closed them, and see only bytes below {@link #sizeBytes()}, a volatile count published after the bytes and index
 * entries are written. The open state is guarded by this object's monitor; a segment closes only when no reader holds
 * it, so an index mapping is never unmapped under a reader.
 */
public final class LogSegment {
    private final Path directory;
    private final long baseOffset;
    private final int indexSizeBytes;
    private final SegmentHandleCache handleCache;

    private Path logFile;
    private Path offsetIndexFile;
    private Path timeIndexFile;
    /** Thread-safe by itself; its file exists only once an aborted transaction's marker lands here. */
    private final TransactionIndex transactionIndex;

    // Open state, guarded by this; the active segment holds it open permanently (pinned).
    private FileChannel channel;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;
    private int references;
    private boolean pinned;
    private boolean deleted;

    private volatile int sizeBytes;
    private volatile long maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
    private volatile long offsetOfMaxTimestampSoFar;
    private volatile long firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
    private volatile long createdMs;
    private int bytesSinceLastIndexEntry;
    /**
     * The headers of the last batches appended, in file order and contiguous (empty after opening, recovery or
     * truncation). A follower fetches from the batch appended after its previous fetch and a consumer reads up to
     * the previous high watermark, both nearly always among them, so {@link #findBatch} finds them without reading
     * the file. Replaced whole by the one writer after {@link #sizeBytes} moves; read without a lock.
     */
    private volatile BatchHeader[] recentBatches = NO_BATCHES;

    /** The leader's last appends while the segment is active, so that fetches at the log end need no file read. */
    private final KeptAppends keptAppends;

    private static final BatchHeader[] NO_BATCHES = new BatchHeader[0];
    /** How many of the last appended batches {@link #recentBatches} holds. */
    static final int RECENT_BATCHES_KEPT = 16;

    private LogSegment(Path directory, long baseOffset, int indexSizeBytes, SegmentHandleCache handleCache,
                       long createdMs) {
        this.directory = directory;
        this.baseOffset = baseOffset;
        this.indexSizeBytes = indexSizeBytes;
        this.handleCache = handleCache;
        this.logFile = SegmentFiles.log(directory, baseOffset);
        this.offsetIndexFile = SegmentFiles.offsetIndex(directory, baseOffset);
        this.timeIndexFile = SegmentFiles.timeIndex(directory, baseOffset);
        this.transactionIndex = new TransactionIndex(TransactionIndex.file(directory, baseOffset));
        this.createdMs = createdMs;
        this.offsetOfMaxTimestampSoFar = baseOffset;
        this.keptAppends = new KeptAppends(handleCache.recentAppendsBudget());
    }

    /** Creates empty files for a new active segment, pinned open. */
    public static LogSegment create(Path directory, long baseOffset, int indexSizeBytes, int preallocateBytes,
                                    SegmentHandleCache handleCache, long nowMs) {
        return create(directory, baseOffset, indexSizeBytes, preallocateBytes, handleCache, nowMs, "");
    }

    /**
     * Creates the output of a cleaning that will replace segments starting with {@code firstReplaced}: same base
     * offset and directory, files named with the {@link SegmentFiles#CLEANED_SUFFIX} until
     * {@link #changeFileSuffixes} renames them, pinned open while it is written.
     */
    public static LogSegment createCleaned(LogSegment firstReplaced, int indexSizeBytes, long nowMs) {
        return create(firstReplaced.directory, firstReplaced.baseOffset, indexSizeBytes, 0, firstReplaced.handleCache,
                nowMs, SegmentFiles.CLEANED_SUFFIX);
    }

    private static LogSegment create(Path directory, long baseOffset, int indexSizeBytes, int preallocateBytes,
                                     SegmentHandleCache handleCache, long nowMs, String suffix) {
        LogSegment segment = new LogSegment(directory, baseOffset, indexSizeBytes, handleCache, nowMs);
        segment.logFile = SegmentFiles.withSuffix(segment.logFile, "", suffix);
        segment.offsetIndexFile = SegmentFiles.withSuffix(segment.offsetIndexFile, "", suffix);
        segment.timeIndexFile = SegmentFiles.withSuffix(segment.timeIndexFile, "", suffix);
        // Pointed at its own name, not renamed: the file of the base name is the live segment's index (a cleaner's
        // output shares its base offset), which must stay until the swap.
        segment.transactionIndex.pointTo(SegmentFiles.withSuffix(segment.transactionIndex.path(), "", suffix));
        segment.transactionIndex.reset();
        try {
            Files.deleteIfExists(segment.offsetIndexFile);
            Files.deleteIfExists(segment.timeIndexFile);
            segment.channel = FileChannel.open(segment.logFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            if (preallocateBytes > 0) {
                segment.channel.write(ByteBuffer.allocate(1), preallocateBytes - 1L);
            }
        } catch (IOException e) {
            throw new StorageException("cannot create segment " + segment.logFile, e);
        }
        segment.offsetIndex = new OffsetIndex(segment.offsetIndexFile, baseOffset, indexSizeBytes, true);
        segment.timeIndex = new TimeIndex(segment.timeIndexFile, baseOffset, indexSizeBytes, true);
        segment.pinned = true;
        if (suffix.isEmpty()) {
            segment.keptAppends.enable(); // a log's new active segment, not a cleaner's output
        }
        return segment;
    }

    /**
     * An existing segment, not yet opened. {@code validSizeBytes} is the file length for a cleanly closed segment;
     * recovery may shrink it.
     */
    public static LogSegment existing(Path directory, long baseOffset, int indexSizeBytes,
                                      SegmentHandleCache handleCache) {
        LogSegment segment = new LogSegment(directory, baseOffset, indexSizeBytes, handleCache, 0);
        try {
            segment.sizeBytes = (int) Math.min(Files.size(segment.logFile), Integer.MAX_VALUE);
            segment.createdMs = Files.getLastModifiedTime(segment.logFile).toMillis();
        } catch (IOException e) {
            throw new StorageException("cannot read segment " + segment.logFile, e);
        }
        return segment;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public synchronized Path logFile() {
        return logFile;
    }

    public int sizeBytes() {
        return sizeBytes;
    }

    public long maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    public long offsetOfMaxTimestampSoFar() {
        return offsetOfMaxTimestampSoFar;
    }

    /** Largest timestamp in the segment, or the file's modification time if it holds none (as Kafka). */
    public long largestTimestamp() {
        long timestamp = maxTimestampSoFar;
        if (timestamp >= 0) {
            return timestamp;
        }
        try {
            return Files.getLastModifiedTime(logFile).toMillis();
        } catch (IOException e) {
            return createdMs;
        }
    }

    /** The time segment.ms counts from: the first batch's timestamp, else when the segment was created. */
    public long rollingBasedTimestamp() {
        long first = firstBatchTimestamp;
        return first >= 0 ? first : createdMs;
    }

    // ---------------------------------------------------------------- open state and references

    /** Takes a reference for a read, opening the segment if needed. Returns false for a deleted, closed segment. */
    public boolean acquire(long nowNanos) {
        synchronized (this) {
            if (deleted && channel == null) {
                return false;
            }
            ensureOpen();
            references++;
        }
        if (!isPinned()) {
            handleCache.touched(this, nowNanos);
        }
        return true;
    }

    public void release() {
        boolean closeNow;
        synchronized (this) {
            references--;
            closeNow = deleted && references == 0 && !pinned;
        }
        if (closeNow) {
            closeHandles();
        }
    }

    private synchronized boolean isPinned() {
        return pinned;
    }

    /** Keeps the segment open while it is active. */
    public synchronized void pin() {
        ensureOpen();
        pinned = true;
    }

    public void unpin(long nowNanos) {
        synchronized (this) {
            pinned = false;
        }
        keptAppends.stop(); // no longer appended to: nobody fetches at its end any more
        handleCache.touched(this, nowNanos);
    }

    private void ensureOpen() {
        if (channel != null) {
            return;
        }
        try {
            channel = FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException("cannot open segment " + logFile, e);
        }
        offsetIndex = new OffsetIndex(offsetIndexFile, baseOffset, indexSizeBytes, pinned);
        timeIndex = new TimeIndex(timeIndexFile, baseOffset, indexSizeBytes, pinned);
    }

    /** Closes file and mappings if no reader holds the segment and it is not active; true if now closed. */
    public synchronized boolean closeHandlesIfUnused() {
        if (references > 0 || pinned) {
            return false;
        }
        closeOpenState();
        return true;
    }

    private void closeHandles() {
        // Close under this segment's monitor, then forget outside it: the cache calls into segments while holding
        // its own monitor (lock order cache, then segment), so holding ours while calling it could deadlock.
        synchronized (this) {
            closeOpenState();
        }
        handleCache.forget(this);
    }

    /** Whether the file and index mappings are open now; for the handle cache's accounting and tests. */
    public synchronized boolean isOpen() {
        return channel != null;
    }

    /**
     * Closes file and mappings if no reader holds the segment and it is not active, and forgets it in the handle
     * cache; for code that opened the segment outside {@link #acquire} (loading, recovery). True if now closed.
     */
    public boolean closeIfUnused() {
        boolean closed = closeHandlesIfUnused();
        if (closed) {
            handleCache.forget(this);
        }
        return closed;
    }

    private void closeOpenState() {
        transactionIndex.close();
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new StorageException("cannot close segment " + logFile, e);
        }
        channel = null;
        offsetIndex.close();
        timeIndex.close();
        offsetIndex = null;
        timeIndex = null;
    }

    /** The open channel; callers hold a reference or the append lock on the active segment. */
    public synchronized FileChannel channel() {
        ensureOpen();
        return channel;
    }

    public synchronized OffsetIndex offsetIndex() {
        ensureOpen();
        return offsetIndex;
    }

    public synchronized TimeIndex timeIndex() {
        ensureOpen();
        return timeIndex;
    }

    /** The segment's aborted-transaction index (entries for the ABORT markers in this segment). */
    public TransactionIndex transactionIndex() {
        return transactionIndex;
    }

    // ---------------------------------------------------------------- append

    /** Whether a batch of this size fits, and its last offset fits a relative index entry. */
    public boolean canAppend(int batchBytes, long lastOffset, int segmentBytesMax) {
        boolean indexesFull = offsetIndex().isFull() || timeIndex().isFull();
        return !indexesFull && (long) sizeBytes + batchBytes <= segmentBytesMax
                && lastOffset - baseOffset <= Integer.MAX_VALUE;
    }

    /**
     * Writes already validated batches at the end of the file and indexes them, and keeps them in memory for the
     * fetches that follow (a leader's append).
     */
    public void append(ByteBuffer batches, int indexIntervalBytes) {
        append(batches, indexIntervalBytes, true);
    }

    /**
     * Writes already validated batches at the end of the file and indexes them. The batches are written in one
     * positional write; index entries follow Kafka's rule of one entry each {@code indexIntervalBytes}.
     *
     * @param keepInMemory whether fetches at the log end will want these bytes (a leader's appends; a follower's are
     *                     rarely fetched, and would only cost a copy)
     */
    public void append(ByteBuffer batches, int indexIntervalBytes, boolean keepInMemory) {
        int startPosition = sizeBytes;
        FileChannel file = channel();
        try {
            ByteBuffer source = batches.duplicate();
            long writePosition = startPosition;
            while (source.hasRemaining()) {
                writePosition += file.write(source, writePosition);
            }
        } catch (IOException e) {
            throw new StorageException("cannot append to " + logFile, e);
        }
        int cursor = batches.position();
        int position = startPosition;
        BatchHeader[] before = recentBatches;
        boolean continuesRecent = before.length > 0 && before[before.length - 1].endPosition() == startPosition;
        List<BatchHeader> appended = new ArrayList<>();
        while (cursor < batches.limit()) {
            RecordBatch batch = new RecordBatch(batches, cursor);
            indexBatch(batch.lastOffset(), batch.maxTimestamp(), position, batch.sizeInBytes(), indexIntervalBytes);
            appended.add(BatchHeader.parse(batches, cursor, position));
            cursor += batch.sizeInBytes();
            position += batch.sizeInBytes();
        }
        keptAppends.appended(startPosition, batches, keepInMemory);
        sizeBytes = position;
        recentBatches = BatchHeader.lastOf(continuesRecent ? before : NO_BATCHES, appended, RECENT_BATCHES_KEPT);
    }

    private void indexBatch(long lastOffset, long maxTimestamp, int position, int batchBytes, int indexIntervalBytes) {
        if (firstBatchTimestamp == RecordBatch.NO_TIMESTAMP && position == 0) {
            firstBatchTimestamp = maxTimestamp;
        }
        if (maxTimestamp > maxTimestampSoFar) {
            maxTimestampSoFar = maxTimestamp;
            offsetOfMaxTimestampSoFar = lastOffset;
        }
        // Entries go into both indexes together, and into neither once one is full: the index is sparse, lookups
        // scan on from the last entry, and a segment whose index is full rolls before its next append.
        OffsetIndex offsets = offsetIndex();
        TimeIndex times = timeIndex();
        if (bytesSinceLastIndexEntry > indexIntervalBytes && !offsets.isFull() && !times.isFull()) {
            offsets.append(lastOffset, position);
            times.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchBytes;
    }

    // ---------------------------------------------------------------- reads

    /**
     * The first batch whose last offset is at least {@code offset}, searching from the index entry at or before it
     * and below {@code endPosition}; null if the segment holds no such batch.
     */
    public BatchHeader findBatch(long offset, int endPosition) {
        BatchHeader[] recent = recentBatches;
        if (recent.length > 0 && offset >= recent[0].baseOffset()) {
            // The batches from recent[0] on are all in the array (or appended after it): no earlier batch can hold
            // the offset, and no later one comes first.
            for (BatchHeader header : recent) {
                if (header.lastOffset() >= offset) {
                    if (header.position() >= endPosition) {
                        return null; // appended after the reader's view of the segment ends
                    }
                    if (header.endPosition() <= endPosition) {
                        return header;
                    }
                    break; // a view ending inside a batch: let the file walk say what it finds
                }
            }
            BatchHeader last = recent[recent.length - 1];
            if (last.lastOffset() < offset && last.endPosition() == endPosition) {
                return null; // past the last batch the reader sees
            }
        }
        OffsetIndex.Entry entry = offsetIndex().lookup(offset);
        SegmentScanner scanner = SegmentScanner.forLookup(channel(), entry.position(), endPosition);
        BatchHeader header;
        while ((header = scanner.next()) != null) {
            if (header.lastOffset() >= offset) {
                return header;
            }
        }
        if (scanner.invalidReason() != null) {
            throw corruption(scanner.position(), scanner.invalidReason());
        }
        return null;
    }

    /**
     * The first batch whose max timestamp is at least {@code timestamp}, at or after {@code startOffset}; null if
     * none.
     */
    public BatchHeader findBatchByTimestamp(long timestamp, long startOffset) {
        TimeIndex.Entry timeEntry = timeIndex().lookupBelow(timestamp);
        OffsetIndex.Entry entry = offsetIndex().lookup(Math.max(timeEntry.offset(), startOffset));
        int endPosition = sizeBytes;
        SegmentScanner scanner = SegmentScanner.forLookup(channel(), entry.position(), endPosition);
        BatchHeader header;
        while ((header = scanner.next()) != null) {
            if (header.maxTimestamp() >= timestamp && header.lastOffset() >= startOffset) {
                return header;
            }
        }
        if (scanner.invalidReason() != null) {
            throw corruption(scanner.position(), scanner.invalidReason());
        }
        return null;
    }

    /** A slice for zero-copy sending; the caller has acquired the segment, and the slice releases it. */
    public FileSlice slice(int position, int length) {
        ByteBuffer cached = keptAppends.find(position, length);
        return new FileSlice(channel(), position, length, this::release, cached);
    }

    /** Copies bytes of the file; the caller holds a reference or the append lock. */
    public ByteBuffer read(int position, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try {
            FileChannel file = channel();
            while (buffer.hasRemaining()) {
                if (file.read(buffer, position + buffer.position()) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot read " + logFile, e);
        }
        return buffer.flip();
    }

    /** A scanner over all batches of the segment. */
    public SegmentScanner scanner(boolean checkCrc) {
        return new SegmentScanner(channel(), 0, sizeBytes, checkCrc, SegmentScanner.SCAN_CHUNK_BYTES);
    }

    /** Logs corrupt data at {@code position} loudly and returns the exception to throw. */
    public LogCorruptionException corruption(int position, String reason) {
        return LogCorruptionDetail.of(logFile, position, reason);
    }

    // ---------------------------------------------------------------- recovery and truncation

    /**
     * Re-validates the whole segment (CRC of every batch, offsets contiguous: every log's batches tile its offsets,
     * the cleaner fills what it drops with empty batches),
     * rebuilds both indexes, and truncates at the first invalid byte.
     *
     * @param expectedFirstOffset offset the first batch must start at
     * @param recoveryPoint       offset below which data was flushed: invalid data there is not cut away but
     *                            reported with {@link LogCorruptionException}
     * @return what recovery found
     */
    public RecoveryResult recover(long expectedFirstOffset, int indexIntervalBytes, long recoveryPoint) {
        recentBatches = NO_BATCHES;
        keptAppends.drop();
        transactionIndex.reset(); // rebuilt from the markers by the producer-state replay that follows
        OffsetIndex offsets = offsetIndex();
        TimeIndex times = timeIndex();
        offsets.truncateToEntries(0);
        times.truncateToEntries(0);
        if (offsets.maxEntries() < indexSizeBytes / OffsetIndex.ENTRY_SIZE_BYTES) {
            offsets.resize(indexSizeBytes);
        }
        if (times.maxEntries() < indexSizeBytes / TimeIndex.ENTRY_SIZE_BYTES) {
            times.resize(indexSizeBytes);
        }
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
        bytesSinceLastIndexEntry = 0;
        int fileLength;
        try {
            fileLength = (int) Math.min(channel().size(), Integer.MAX_VALUE);
        } catch (IOException e) {
            throw new StorageException("cannot size " + logFile, e);
        }
        SegmentScanner scanner = new SegmentScanner(channel(), 0, fileLength, true, SegmentScanner.SCAN_CHUNK_BYTES);
        long nextOffset = expectedFirstOffset;
        int validBytes = 0;
        String problem = null;
        BatchHeader header;
        while ((header = scanner.next()) != null) {
            boolean offsetsFit = header.baseOffset() == nextOffset;
            if (!offsetsFit || header.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                problem = "batch offsets " + header.baseOffset() + ".." + header.lastOffset()
                        + " do not follow offset " + (nextOffset - 1);
                break;
            }
            indexBatch(header.lastOffset(), header.maxTimestamp(), header.position(), header.sizeBytes(),
                    indexIntervalBytes);
            nextOffset = header.nextOffset();
            validBytes = header.endPosition();
        }
        if (problem == null) {
            problem = scanner.invalidReason();
        }
        int truncatedBytes = fileLength - validBytes;
        if (truncatedBytes > 0 && nextOffset < recoveryPoint) {
            throw corruption(validBytes, problem + " (below the recovery point " + recoveryPoint
                    + ", so flushed data is damaged)");
        }
        if (truncatedBytes > 0) {
            truncateFile(validBytes);
        }
        sizeBytes = validBytes;
        return new RecoveryResult(validBytes, truncatedBytes, nextOffset, truncatedBytes > 0 ? problem : null);
    }

    /** The outcome of {@link #recover}: bytes kept, bytes cut, the next offset, and why bytes were cut. */
    public record RecoveryResult(int validBytes, int truncatedBytes, long nextOffset, String problem) {
    }

    /**
     * Removes every batch whose last offset is at least {@code offset} (so a batch holding it goes whole) and the
     * index entries pointing there. Returns the bytes removed.
     */
    public int truncateTo(long offset) {
        BatchHeader first = findBatch(offset, sizeBytes);
        if (first == null) {
            return 0;
        }
        int removed = sizeBytes - first.position();
        recentBatches = NO_BATCHES; // before the bytes go: positions of removed batches must not be found again
        keptAppends.drop(); // likewise their bytes
        offsetIndex().truncateToOffset(offset);
        timeIndex().truncateToOffset(offset);
        transactionIndex.truncateTo(offset);
        truncateFile(first.position());
        sizeBytes = first.position();
        recomputeTimestamps();
        bytesSinceLastIndexEntry = 0;
        return removed;
    }

    private void recomputeTimestamps() {
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
        SegmentScanner scanner = scanner(false);
        BatchHeader header;
        while ((header = scanner.next()) != null) {
            if (firstBatchTimestamp == RecordBatch.NO_TIMESTAMP) {
                firstBatchTimestamp = header.maxTimestamp();
            }
            if (header.maxTimestamp() > maxTimestampSoFar) {
                maxTimestampSoFar = header.maxTimestamp();
                offsetOfMaxTimestampSoFar = header.lastOffset();
            }
        }
    }

    /** Loads the timestamps and checks the indexes of a cleanly closed segment; false if they need a rebuild. */
    public boolean loadCleanState() {
        OffsetIndex offsets = offsetIndex();
        TimeIndex times = timeIndex();
        if (!offsets.isSane(sizeBytes) || !times.isSane()) {
            return false;
        }
        if (times.entries() > 0) {
            TimeIndex.Entry last = times.lastEntry();
            maxTimestampSoFar = last.timestamp();
            offsetOfMaxTimestampSoFar = last.offset();
        }
        // The last time-index entry may lag behind the last batches; scan the tail after the last offset entry.
        int tailStart = offsets.entries() == 0 ? 0 : offsets.lastEntry().position();
        SegmentScanner scanner = new SegmentScanner(channel(), tailStart, sizeBytes, false,
                SegmentScanner.SCAN_CHUNK_BYTES);
        BatchHeader header;
        while ((header = scanner.next()) != null) {
            if (header.maxTimestamp() > maxTimestampSoFar) {
                maxTimestampSoFar = header.maxTimestamp();
                offsetOfMaxTimestampSoFar = header.lastOffset();
            }
        }
        if (scanner.invalidReason() != null) {
            return false;
        }
        if (sizeBytes > 0) {
            SegmentScanner first = new SegmentScanner(channel(), 0, sizeBytes, false, SegmentScanner.READ_CHUNK_BYTES);
            BatchHeader firstHeader = first.next();
            firstBatchTimestamp = firstHeader == null ? RecordBatch.NO_TIMESTAMP : firstHeader.maxTimestamp();
        }
        return true;
    }

    /** The next offset after the last batch, scanning from the last index entry; base offset if empty. */
    public long readNextOffset() {
        OffsetIndex.Entry entry = offsetIndex().lastEntry();
        SegmentScanner scanner = new SegmentScanner(channel(), entry.position(), sizeBytes, false,
                SegmentScanner.SCAN_CHUNK_BYTES);
        long next = baseOffset;
        BatchHeader header;
        while ((header = scanner.next()) != null) {
            next = header.nextOffset();
        }
        if (scanner.invalidReason() != null) {
            throw corruption(scanner.position(), scanner.invalidReason());
        }
        return next;
    }

    private void truncateFile(int length) {
        try {
            channel().truncate(length);
        } catch (IOException e) {
            throw new StorageException("cannot truncate " + logFile, e);
        }
    }

    // ---------------------------------------------------------------- roll, flush, delete

    /** Called when a newer segment becomes active: final time-index entry, indexes and file trimmed. */
    public void onBecomeInactive() {
        TimeIndex times = timeIndex();
        if (maxTimestampSoFar >= 0 && !times.isFull()) {
            times.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        }
        offsetIndex().trimToValidSize();
        times.trimToValidSize();
        truncateFileToSize();
    }

    /** Extends the indexes of a segment reopened as the active one. */
    public void onBecomeActive() {
        pin();
        keptAppends.enable();
        offsetIndex.resize(indexSizeBytes);
        timeIndex.resize(indexSizeBytes);
    }

    private void truncateFileToSize() {
        try {
            FileChannel file = channel();
            if (file.size() > sizeBytes) {
                file.truncate(sizeBytes);
            }
        } catch (IOException e) {
            throw new StorageException("cannot trim " + logFile, e);
        }
    }

    public void flush() {
        try {
            channel().force(true);
        } catch (IOException e) {
            throw new StorageException("cannot flush " + logFile, e);
        }
        offsetIndex().flush();
        timeIndex().flush();
        transactionIndex.flush();
    }

    /** Trims and closes for a clean shutdown. */
    public void closeCleanly() {
        keptAppends.stop();
        synchronized (this) {
            if (channel == null) {
                return;
            }
            truncateFileToSize();
            offsetIndex.trimToValidSize();
            timeIndex.trimToValidSize();
            flush();
            pinned = false;
            closeOpenState();
        }
        handleCache.forget(this);
    }

    /** Closes without trimming, leaving files as a crash would. */
    public void closeAbruptly() {
        keptAppends.stop();
        synchronized (this) {
            pinned = false;
            closeOpenState();
        }
        handleCache.forget(this);
    }

    /**
     * Renames the files with the deleted suffix so that recovery removes them; they are removed for good by
     * {@link #deleteFiles()} once the delete delay has passed.
     */
    public void markDeleted() {
        keptAppends.stop();
        synchronized (this) {
            deleted = true;
            pinned = false;
            logFile = SegmentFiles.renameWithSuffix(logFile, SegmentFiles.DELETED_SUFFIX);
            offsetIndexFile = SegmentFiles.renameWithSuffix(offsetIndexFile, SegmentFiles.DELETED_SUFFIX);
            timeIndexFile = SegmentFiles.renameWithSuffix(timeIndexFile, SegmentFiles.DELETED_SUFFIX);
            transactionIndex.renameTo(transactionIndex.path().resolveSibling(
                    transactionIndex.path().getFileName() + SegmentFiles.DELETED_SUFFIX));
        }
    }

    /** Deletes the files, closing the segment when no reader holds it; false if a reader still does. */
    public boolean deleteFiles() {
        synchronized (this) {
            if (references > 0) {
                return false;
            }
            closeOpenState();
            deleted = true;
            try {
                Files.deleteIfExists(logFile);
                Files.deleteIfExists(offsetIndexFile);
                Files.deleteIfExists(timeIndexFile);
                transactionIndex.deleteFile();
            } catch (IOException e) {
                throw new StorageException("cannot delete segment " + logFile, e);
            }
        }
        handleCache.forget(this);
        return true;
    }

    /**
     * Renames the segment's three files from {@code oldSuffix} to {@code newSuffix} (a cleaner's output goes
     * {@code .cleaned} to {@code .swap} to none). Open file and mappings stay valid; readers are unaffected.
     */
    public void changeFileSuffixes(String oldSuffix, String newSuffix) {
        synchronized (this) {
            Path newLog = SegmentFiles.withSuffix(logFile, oldSuffix, newSuffix);
            Path newOffsetIndex = SegmentFiles.withSuffix(offsetIndexFile, oldSuffix, newSuffix);
            Path newTimeIndex = SegmentFiles.withSuffix(timeIndexFile, oldSuffix, newSuffix);
            try {
                Files.move(logFile, newLog, StandardCopyOption.ATOMIC_MOVE);
                if (offsetIndex != null) {
                    offsetIndex.renameTo(newOffsetIndex);
                    timeIndex.renameTo(newTimeIndex);
                } else {
                    Files.move(offsetIndexFile, newOffsetIndex, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(timeIndexFile, newTimeIndex, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                throw new StorageException("cannot rename the files of " + logFile + " to suffix '" + newSuffix + "'", e);
            }
            logFile = newLog;
            offsetIndexFile = newOffsetIndex;
            timeIndexFile = newTimeIndex;
            transactionIndex.renameTo(SegmentFiles.withSuffix(transactionIndex.path(), oldSuffix, newSuffix));
        }
    }

    public synchronized boolean isDeleted() {
        return deleted;
    }

    public Path directory() {
        return directory;
    }

    @Override
    public String toString() {
        return "LogSegment(" + logFile + ", size=" + sizeBytes + ")";
    }
}
