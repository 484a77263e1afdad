package io.fjord.storage.internal;

import io.fjord.storage.StorageException;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One data directory of the log manager: its {@code .lock} file lock, the clean-shutdown marker, and its three offset
 * checkpoint files ({@code recovery-point-offset-checkpoint}, {@code log-start-offset-checkpoint} and the high
 * watermarks' {@code replication-offset-checkpoint}).
 *
 * <p>The clean-shutdown marker is Kafka's {@code .kafka_cleanshutdown} with Kafka's JSON content
 * {@code {"version":0,"brokerEpoch":N}}: the broker epoch of the registration that shut down cleanly, which the next
 * registration names as its previous broker epoch (KIP-966). The marker older Fjord versions wrote,
 * {@code .fjord_cleanshutdown} (empty), still counts as a clean shutdown, without an epoch.
 *
 * <p>Thread-safety: lock and marker methods are synchronized; checkpoint writes are serialized by
 * {@link OffsetCheckpointFile}.
 */
public final class LogDirectory {
    public static final String LOCK_FILE = ".lock";
    public static final String CLEAN_SHUTDOWN_MARKER = ".kafka_cleanshutdown";
    /** The empty marker Fjord wrote before it recorded broker epochs; read (as clean, without an epoch), never written. */
    public static final String LEGACY_CLEAN_SHUTDOWN_MARKER = ".fjord_cleanshutdown";
    /** Kafka's {@code CleanShutdownFileHandler} version. */
    static final int CLEAN_SHUTDOWN_VERSION = 0;
    /** A marker is a few dozen bytes; anything larger is not one of ours and is not read into memory. */
    static final int CLEAN_SHUTDOWN_MARKER_BYTES_MAX = 1024;
    private static final Pattern VERSION_FIELD = Pattern.compile("\"version\"\\s*:\\s*(-?\\d{1,10})");
    private static final Pattern BROKER_EPOCH_FIELD = Pattern.compile("\"brokerEpoch\"\\s*:\\s*(-?\\d{1,19})");
    public static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    public static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";

    private final Path path;
    private final OffsetCheckpointFile recoveryPoints;
    private final OffsetCheckpointFile logStartOffsets;
    private final OffsetCheckpointFile highWatermarks;
    private FileChannel lockChannel;
    private FileLock lock;

    public LogDirectory(Path path) {
        this.path = path;
        this.recoveryPoints = new OffsetCheckpointFile(path.resolve(RECOVERY_POINT_CHECKPOINT));
        this.logStartOffsets = new OffsetCheckpointFile(path.resolve(LOG_START_OFFSET_CHECKPOINT));
        this.highWatermarks = new OffsetCheckpointFile(path.resolve(HIGH_WATERMARK_CHECKPOINT));
    }

    public Path path() {
        return path;
    }

    /** Creates the directory if missing and takes its exclusive lock; fails fast if another holder has it. */
    public synchronized void createAndLock() {
        if (lock != null) {
            return;
        }
        Path lockFile = path.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(path);
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock acquired = channel.tryLock();
            if (acquired == null) {
                throw alreadyLocked(lockFile, null);
            }
            lockChannel = channel;
            lock = acquired;
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw alreadyLocked(lockFile, e); // held by another log manager in this same process
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StorageException("Cannot create or lock the log directory " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private StorageException alreadyLocked(Path lockFile, Exception cause) {
        return new StorageException("Failed to acquire lock on file " + lockFile + ": the log directory " + path
                + " is in use by another broker process or another log manager in this process", cause);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    public synchronized boolean isLocked() {
        return lock != null;
    }

    /** Releases the directory lock; idempotent. */
    public synchronized void unlock() {
        if (lock == null) {
            return;
        }
        try {
            lock.release();
        } catch (IOException e) {
            throw new StorageException("cannot release the lock of " + path, e);
        } finally {
            closeQuietly(lockChannel);
            lock = null;
            lockChannel = null;
        }
    }

    /** Whether the previous process shut down cleanly (it left the marker, or the legacy one). */
    public synchronized boolean hasCleanShutdownMarker() {
        return Files.exists(path.resolve(CLEAN_SHUTDOWN_MARKER))
                || Files.exists(path.resolve(LEGACY_CLEAN_SHUTDOWN_MARKER));
    }

    /**
     * The broker epoch the marker records (Kafka's {@code CleanShutdownFileHandler.read}); empty when there is no
     * marker, only the legacy one, or one that is not Kafka's JSON with a {@code version} and a {@code brokerEpoch}.
     */
    public synchronized OptionalLong readCleanShutdownBrokerEpoch() {
        Path marker = path.resolve(CLEAN_SHUTDOWN_MARKER);
        try {
            if (!Files.isRegularFile(marker) || Files.size(marker) > CLEAN_SHUTDOWN_MARKER_BYTES_MAX) {
                return OptionalLong.empty();
            }
            return parseBrokerEpoch(Files.readString(marker, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong parseBrokerEpoch(String content) {
        String trimmed = content.strip();
        if (!trimmed.startsWith("{") || !trimmed.endsWith("}") || !VERSION_FIELD.matcher(trimmed).find()) {
            return OptionalLong.empty();
        }
        Matcher epoch = BROKER_EPOCH_FIELD.matcher(trimmed);
        if (!epoch.find()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(epoch.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Removes the markers once loading is done, so that a later crash is seen as unclean. */
    public synchronized void deleteCleanShutdownMarker() {
        try {
            boolean deleted = Files.deleteIfExists(path.resolve(CLEAN_SHUTDOWN_MARKER));
            deleted |= Files.deleteIfExists(path.resolve(LEGACY_CLEAN_SHUTDOWN_MARKER));
            if (deleted) {
                OffsetCheckpointFile.fsyncDirectory(path);
            }
        } catch (IOException e) {
            throw new StorageException("cannot delete the clean-shutdown marker in " + path, e);
        }
    }

    /**
     * Writes the marker with {@code brokerEpoch} (-1 when the broker never registered) durably (file and directory
     * fsync'd) as the last step of a clean shutdown.
     */
    public synchronized void writeCleanShutdownMarker(long brokerEpoch) {
        Path marker = path.resolve(CLEAN_SHUTDOWN_MARKER);
        byte[] content = ("{\"version\":" + CLEAN_SHUTDOWN_VERSION + ",\"brokerEpoch\":" + brokerEpoch + "}")
                .getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException e) {
            throw new StorageException("cannot write the clean-shutdown marker in " + path, e);
        }
        OffsetCheckpointFile.fsyncDirectory(path);
    }

    public Map<TopicPartition, Long> readRecoveryPoints() {
        return recoveryPoints.read();
    }

    public Map<TopicPartition, Long> readLogStartOffsets() {
        return logStartOffsets.read();
    }

    public Map<TopicPartition, Long> readHighWatermarks() {
        return highWatermarks.read();
    }

    public void writeHighWatermarks(Map<TopicPartition, Long> offsets) {
        highWatermarks.write(offsets);
    }

    public void writeRecoveryPoints(Map<TopicPartition, Long> offsets) {
        recoveryPoints.write(offsets);
    }

    public void writeLogStartOffsets(Map<TopicPartition, Long> offsets) {
        logStartOffsets.write(offsets);
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
