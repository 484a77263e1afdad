package io.fjord.broker.replica;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A broker's real logs in a temporary directory, and batches to write into them; for replica tests. */
final class ReplicaLogs implements AutoCloseable {
    final LogManager logManager;

    ReplicaLogs(Path directory) {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), InstantSource.system());
        logManager.startup();
    }

    PartitionLog log(TopicPartition partition) {
        return logManager.getOrCreateLog(partition, logManager.config().defaultLogConfig());
    }

    /** Appends a batch of {@code values} as the leader of {@code epoch}. */
    static void appendAsLeader(PartitionLog log, int epoch, String... values) {
        log.appendAsLeader(batch(values), epoch);
    }

    static ByteBuffer batch(String... values) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < values.length; index++) {
            records.add(new Record(index, 1_000L, null,
                    ByteBuffer.wrap(values[index].getBytes(StandardCharsets.UTF_8)), List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), records);
    }

    /** The log's bytes from {@code offset} to its end. */
    static byte[] bytesFrom(PartitionLog log, long offset) {
        ByteBuffer bytes = log.readAllFrom(offset);
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return copy;
    }

    @Override
    public void close() {
        logManager.shutdown();
    }
}
