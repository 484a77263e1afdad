package io.fjord.storage.internal.producer;

import io.fjord.storage.ProducerState;
import io.fjord.storage.StorageException;
import io.fjord.storage.internal.SegmentFiles;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Producer-state snapshots as files {@code <20-digit offset>.snapshot} in the partition directory (Kafka's names;
 * Fjord's own content). Format version 1, big-endian:
 *
 * <pre>
 * int16  version (1)
 * int32  CRC-32C of every byte after this field
 * int64  snapshot offset (must match the file name)
 * int32  producer count
 * per producer:
 *   int64 producer id, int16 producer epoch, int32 coordinator epoch, int64 last timestamp (ms),
 *   int64 current transaction first offset (-1: none), int8 batch count (0..5)
 *   per batch, oldest first: int32 first sequence, int32 last sequence, int64 first offset, int64 last offset,
 *                            int64 timestamp (ms)
 * </pre>
 *
 * A snapshot is written to {@code .snapshot.tmp} and renamed into place, so a crash leaves the old snapshot or the
 * whole new one; a file that fails its CRC or structure checks (e.g. unforced data lost by a power failure) is
 * deleted on read and recovery falls back to an older snapshot or a log scan.
 *
 * <p>Not thread-safe: the owning log calls it under its append lock.
 */
public final class ProducerSnapshotFiles implements ProducerSnapshotStore {
    public static final String SUFFIX = ".snapshot";
    static final String TEMPORARY_SUFFIX = ".snapshot.tmp";
    static final short VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(ProducerSnapshotFiles.class);
    private static final int HEADER_BYTES = 2 + 4 + 8 + 4;
    private static final int PRODUCER_BYTES = 8 + 2 + 4 + 8 + 8 + 1;
    private static final int BATCH_BYTES = 4 + 4 + 8 + 8 + 8;
    private static final int CRC_POSITION = 2;
    private static final int CRC_COVERED_FROM = 6;

    private final Path directory;
    /** The snapshot files present: listed once at open, then kept up to date by this class's writes and deletes. */
    private final NavigableSet<Long> offsets = new TreeSet<>();

    /**
     * Opens the snapshots of {@code directory}, deleting temporary files a crash left behind. The directory's
     * snapshots must from then on change only through this object.
     */
    public ProducerSnapshotFiles(Path directory) {
        this.directory = directory;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX + "*")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                long offset = SegmentFiles.baseOffsetOf(name);
                if (name.endsWith(TEMPORARY_SUFFIX)) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(SUFFIX) && offset >= 0) {
                    offsets.add(offset);
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + directory, e);
        }
    }

    public Path file(long offset) {
        return directory.resolve(SegmentFiles.baseName(offset) + SUFFIX);
    }

    @Override
    public void write(long offset, Collection<ProducerState> producers, boolean durable) {
        ByteBuffer bytes = encode(offset, producers);
        Path temporary = directory.resolve(SegmentFiles.baseName(offset) + TEMPORARY_SUFFIX);
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (durable) {
                channel.force(true);
            }
        } catch (IOException e) {
            throw new StorageException("cannot write producer snapshot " + temporary, e);
        }
        try {
            Files.move(temporary, file(offset), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StorageException("cannot move producer snapshot " + temporary + " into place", e);
        }
        offsets.add(offset);
    }

    @Override
    public Optional<List<ProducerState>> read(long offset) {
        Path file = file(offset);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read producer snapshot " + file, e);
        }
        try {
            return Optional.of(decode(offset, ByteBuffer.wrap(bytes)));
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            LOG.warn("Deleting damaged producer snapshot {}: {}", file, e.getMessage());
            delete(offset);
            return Optional.empty();
        }
    }

    @Override
    public NavigableSet<Long> offsets() {
        return new TreeSet<>(offsets);
    }

    @Override
    public void delete(long offset) {
        try {
            Files.deleteIfExists(file(offset));
            offsets.remove(offset);
        } catch (IOException e) {
            throw new StorageException("cannot delete producer snapshot " + file(offset), e);
        }
    }

    static ByteBuffer encode(long offset, Collection<ProducerState> producers) {
        int size = HEADER_BYTES;
        for (ProducerState state : producers) {
            size += PRODUCER_BYTES + state.batches().size() * BATCH_BYTES;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putShort(VERSION).putInt(0).putLong(offset).putInt(producers.size());
        for (ProducerState state : producers) {
            buffer.putLong(state.producerId()).putShort(state.producerEpoch()).putInt(state.coordinatorEpoch())
                    .putLong(state.lastTimestampMs()).putLong(state.currentTransactionFirstOffset())
                    .put((byte) state.batches().size());
            for (ProducerState.Batch batch : state.batches()) {
                buffer.putInt(batch.firstSequence()).putInt(batch.lastSequence()).putLong(batch.firstOffset())
                        .putLong(batch.lastOffset()).putLong(batch.timestampMs());
            }
        }
        buffer.putInt(CRC_POSITION, (int) crc(buffer.array(), size));
        return buffer.flip();
    }

    static List<ProducerState> decode(long expectedOffset, ByteBuffer buffer) {
        require(buffer.remaining() >= HEADER_BYTES, "shorter than its header");
        short version = buffer.getShort();
        require(version == VERSION, "unknown version " + version);
        long stored = Integer.toUnsignedLong(buffer.getInt());
        long computed = crc(buffer.array(), buffer.limit());
        require(stored == computed, "CRC " + stored + " does not match the computed " + computed);
        long offset = buffer.getLong();
        require(offset == expectedOffset, "holds offset " + offset + ", not " + expectedOffset);
        int count = buffer.getInt();
        require(count >= 0 && (long) count * PRODUCER_BYTES <= buffer.remaining(), "bad producer count " + count);
        List<ProducerState> states = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            long producerId = buffer.getLong();
            short epoch = buffer.getShort();
            int coordinatorEpoch = buffer.getInt();
            long lastTimestampMs = buffer.getLong();
            long transactionFirstOffset = buffer.getLong();
            int batchCount = buffer.get();
            require(batchCount >= 0 && batchCount <= ProducerState.BATCHES_RETAINED, "bad batch count " + batchCount);
            List<ProducerState.Batch> batches = new ArrayList<>(batchCount);
            for (int batch = 0; batch < batchCount; batch++) {
                batches.add(new ProducerState.Batch(buffer.getInt(), buffer.getInt(), buffer.getLong(),
                        buffer.getLong(), buffer.getLong()));
            }
            states.add(new ProducerState(producerId, epoch, batches, lastTimestampMs, coordinatorEpoch,
                    transactionFirstOffset));
        }
        require(!buffer.hasRemaining(), buffer.remaining() + " trailing bytes");
        return states;
    }

    private static long crc(byte[] bytes, int end) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, CRC_COVERED_FROM, end - CRC_COVERED_FROM);
        return crc.getValue();
    }

    private static void require(boolean valid, String problem) {
        if (!valid) {
            throw new IllegalArgumentException(problem);
        }
    }
}
