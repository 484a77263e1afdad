package io.fjord.metadata.quorum;

import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.MetadataRecordSerde;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.raft.DurableState;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.storage.QuorumStateFile;
import io.fjord.raft.storage.RaftLogStore;
import io.fjord.storage.LogConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.internal.LogDirectoryLoader;
import io.fjord.storage.internal.SegmentHandleCache;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades the metadata log of a data directory written by Fjord 0.1 before the Raft quorum: that log,
 * {@code __cluster_metadata-0}, holds one record batch per controller operation (records valued with
 * {@link MetadataRecordSerde}), fsync'd per append, and no {@code quorum-state} file. Each batch becomes one Raft
 * entry of epoch 0 holding the same records ({@link MetadataEntries}), in order, so the operations keep committing
 * together; the quorum's first leader commits them with its first entry, and the loader replays them as before.
 *
 * <p>Crash-safe: the new log is written and fsync'd in {@value #STAGING}, the old one moved into
 * {@value #LEGACY}, the new one moved into place, and only then is {@code quorum-state} written, which marks the
 * directory as upgraded. A start after a crash finds no {@code quorum-state} and upgrades again from the old log
 * (in {@value #LEGACY} if it was moved already). Both leftover directories end in {@code -delete}, which the log
 * manager removes if this class could not.
 *
 * <p>Stateless; call before the Raft storage opens the directory, from one thread.
 */
public final class LegacyMetadataLogUpgrade {
    private static final Logger LOG = LoggerFactory.getLogger(LegacyMetadataLogUpgrade.class);
    static final String STAGING = "metadata-upgrade-delete";
    static final String LEGACY = "metadata-legacy-delete";
    /** Bound of one legacy batch's decoded records (it was at most 8 MiB encoded). */
    private static final long DECODED_BYTES_MAX = 64L * 1024 * 1024;

    private LegacyMetadataLogUpgrade() {
    }

    /**
     * Upgrades {@code metadataDirectory} if it holds a pre-Raft metadata log; returns the number of operations
     * converted (0 when there was nothing to do).
     */
    public static int run(Path metadataDirectory) throws IOException {
        Path current = metadataDirectory.resolve(RaftLogStore.DIRECTORY_NAME);
        Path legacyParent = metadataDirectory.resolve(LEGACY);
        Path staging = metadataDirectory.resolve(STAGING);
        if (Files.exists(metadataDirectory.resolve(QuorumStateFile.FILE_NAME))) {
            deleteRecursively(legacyParent);
            deleteRecursively(staging);
            return 0;
        }
        Path legacy = legacyParent.resolve(RaftLogStore.DIRECTORY_NAME);
        Path source = Files.exists(legacy) ? legacy : Files.exists(current) ? current : null;
        if (source == null) {
            return 0;
        }
        List<LogEntry> entries = readLegacy(source);
        if (entries.isEmpty() && source == current) {
            return 0; // an empty log reads the same either way
        }
        deleteRecursively(staging);
        Files.createDirectories(staging);
        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
        try (RaftLogStore store = RaftLogStore.open(staging, Set.of(), background)) {
            store.append(entries);
            store.flush();
        } finally {
            background.shutdownNow();
        }
        if (source == current) {
            Files.createDirectories(legacyParent);
            Files.move(current, legacy, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(legacyParent);
        } else {
            deleteRecursively(current); // a move into place that a crash interrupted
        }
        Files.move(staging.resolve(RaftLogStore.DIRECTORY_NAME), current, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(metadataDirectory);
        new QuorumStateFile(metadataDirectory).write(DurableState.INITIAL, -1);
        deleteRecursively(legacyParent);
        deleteRecursively(staging);
        long records = entries.stream().mapToLong(entry -> MetadataEntries.decode(entry.payload()).size()).sum();
        LOG.info("Upgraded the metadata log in {}: {} operations ({} records) are now entries of the Raft log",
                metadataDirectory, entries.size(), records);
        return entries.size();
    }

    /** One entry of epoch 0 per legacy batch, with the batch's records. */
    private static List<LogEntry> readLegacy(Path directory) {
        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 64 * 1024 * 1024)
                .with(LogConfig.RETENTION_MS, -1)
                .with(LogConfig.MAX_MESSAGE_BYTES, OperationLimits.RECORD_BYTES_PER_OPERATION_MAX);
        PartitionLog log = PartitionLog.open(directory, config, 0, 0, false, InstantSource.system(),
                SegmentHandleCache.unbounded(), background);
        try {
            List<LogEntry> entries = new ArrayList<>();
            if (log.logEndOffset() <= log.logStartOffset()) {
                return entries;
            }
            ByteBuffer bytes = log.readAllFrom(log.logStartOffset());
            for (RecordBatch batch : RecordBatches.of(bytes)) {
                List<MetadataRecord> records = new ArrayList<>();
                for (Record record : RecordCodec.decode(batch, DECODED_BYTES_MAX)) {
                    records.add(MetadataRecordSerde.read(record.value()));
                }
                if (!records.isEmpty()) {
                    entries.add(new LogEntry(entries.size(), 0, EntryType.DATA, MetadataEntries.encode(records)));
                }
            }
            return entries;
        } finally {
            log.close();
            background.shutdownNow();
        }
    }

    private static void deleteRecursively(Path directory) {
        if (Files.exists(directory)) {
            LogDirectoryLoader.deleteRecursively(directory);
        }
    }

    private static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
