package io.fjord.storage.internal.cleaner;

import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.internal.OffsetCheckpointFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The first dirty offset of each partition, kept in a {@value #FILE_NAME} file in each log directory (the parent of
 * the partition directories), in Kafka's checkpoint format. A directory's file is read the first time one of its logs
 * is seen, and rewritten whenever one of its partitions' offsets changes.
 *
 * <p>Thread-safe: all methods synchronize on this object (file writes included; they are rare and small).
 */
public final class CleanerCheckpoints {
    public static final String FILE_NAME = "cleaner-offset-checkpoint";

    private final Map<Path, Map<TopicPartition, Long>> offsetsByDirectory = new HashMap<>();
    private final Map<TopicPartition, Path> directoryByPartition = new HashMap<>();

    private static Path logDirectoryOf(PartitionLog log) {
        return log.directory().toAbsolutePath().normalize().getParent();
    }

    private Map<TopicPartition, Long> load(Path logDirectory) {
        return offsetsByDirectory.computeIfAbsent(logDirectory, directory -> {
            Map<TopicPartition, Long> offsets = new HashMap<>(checkpointFile(directory).read());
            offsets.keySet().forEach(partition -> directoryByPartition.put(partition, directory));
            return offsets;
        });
    }

    private static OffsetCheckpointFile checkpointFile(Path logDirectory) {
        return new OffsetCheckpointFile(logDirectory.resolve(FILE_NAME));
    }

    /** The checkpointed first dirty offset of {@code log}, loading its directory's file if needed. */
    public synchronized OptionalLong firstDirtyOffset(PartitionLog log) {
        Path directory = logDirectoryOf(log);
        Long offset = load(directory).get(log.topicPartition());
        directoryByPartition.put(log.topicPartition(), directory);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** Records a new first dirty offset for {@code log} and rewrites its directory's file. */
    public synchronized void update(PartitionLog log, long firstDirtyOffset) {
        Path directory = logDirectoryOf(log);
        load(directory).put(log.topicPartition(), firstDirtyOffset);
        directoryByPartition.put(log.topicPartition(), directory);
        checkpointFile(directory).write(offsetsByDirectory.get(directory));
    }

    /** Lowers the offset of {@code partition} to {@code offset} if it is above (the log was truncated there). */
    public synchronized void truncate(TopicPartition partition, long offset) {
        Path directory = directoryByPartition.get(partition);
        if (directory == null) {
            return;
        }
        Map<TopicPartition, Long> offsets = load(directory);
        Long current = offsets.get(partition);
        if (current != null && current > offset) {
            offsets.put(partition, offset);
            checkpointFile(directory).write(offsets);
        }
    }

    /** Forgets {@code partition} (its log was deleted). */
    public synchronized void remove(TopicPartition partition) {
        Path directory = directoryByPartition.remove(partition);
        if (directory == null) {
            return;
        }
        Map<TopicPartition, Long> offsets = load(directory);
        if (offsets.remove(partition) != null) {
            checkpointFile(directory).write(offsets);
        }
    }

    /** Makes the partitions of {@code log}'s directory known, reading its file if not yet read. */
    public synchronized void register(PartitionLog log) {
        Path directory = logDirectoryOf(log);
        load(directory);
        directoryByPartition.put(log.topicPartition(), directory);
    }

    /** Every checkpointed offset known so far. */
    public synchronized Map<TopicPartition, Long> all() {
        Map<TopicPartition, Long> all = new HashMap<>();
        offsetsByDirectory.values().forEach(all::putAll);
        return all;
    }
}
