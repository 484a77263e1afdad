package io.fjord.broker.config;

import static io.fjord.broker.config.ConfigType.BOOLEAN;
import static io.fjord.broker.config.ConfigType.DOUBLE;
import static io.fjord.broker.config.ConfigType.INT;
import static io.fjord.broker.config.ConfigType.LIST;
import static io.fjord.broker.config.ConfigType.LONG;
import static io.fjord.broker.config.ConfigType.STRING;
import static io.fjord.broker.config.DynamicUpdateMode.CLUSTER_WIDE;
import static io.fjord.broker.config.DynamicUpdateMode.READ_ONLY;
import static io.fjord.broker.config.Importance.HIGH;
import static io.fjord.broker.config.Importance.LOW;
import static io.fjord.broker.config.Importance.MEDIUM;
import static io.fjord.broker.config.Validators.any;
import static io.fjord.broker.config.Validators.atLeast;
import static io.fjord.broker.config.Validators.between;

import java.util.Map;

/**
 * The broker configurations of the log: data directories, the {@code log.*} topic defaults, {@code log.cleaner.*},
 * and the topic defaults without a {@code log.} prefix (message.max.bytes, compression.*, min.insync.replicas,
 * unclean.leader.election.enable). As in Kafka, the first broker synonym of each topic config can be changed at
 * runtime cluster-wide; the hour and minute variants are read-only. Immutable and thread-safe.
 */
final class LogBrokerConfigs {
    static final Map<String, ConfigDefinition> DEFINITIONS = new DefinitionTable(READ_ONLY)
            .define("log.dir", STRING, "/tmp/kafka-logs", any(), HIGH,
                    "The directory of the log data, used when log.dirs is not set")
            .define("log.dirs", LIST, null, Validators.nonDuplicateList(false), HIGH,
                    "Comma-separated directories of the log data; log.dir when not set")
            .define("metadata.log.dir", STRING, null, any(), HIGH,
                    "Directory of the metadata log; the first log directory when not set")
            .define("log.segment.bytes", INT, TopicConfigs.SEGMENT_BYTES_DEFAULT,
                    atLeast(TopicConfigs.SEGMENT_BYTES_MIN), HIGH, CLUSTER_WIDE, "The maximum size of a single log file")
            .define("log.roll.ms", LONG, null, any(), HIGH, CLUSTER_WIDE,
                    "The maximum time before a new log segment is rolled out; log.roll.hours when not set")
            .define("log.roll.hours", INT, 168, atLeast(1), HIGH,
                    "The maximum time in hours before a new log segment is rolled out")
            .define("log.roll.jitter.ms", LONG, null, any(), HIGH, CLUSTER_WIDE,
                    "The maximum jitter subtracted from the roll time; log.roll.jitter.hours when not set")
            .define("log.roll.jitter.hours", INT, 0, atLeast(0), HIGH,
                    "The maximum jitter in hours subtracted from the roll time")
            .define("log.retention.ms", LONG, null, any(), HIGH, CLUSTER_WIDE,
                    "How long a log file is kept; log.retention.minutes when not set; -1 for no limit")
            .define("log.retention.minutes", INT, null, any(), HIGH,
                    "How long in minutes a log file is kept; log.retention.hours when not set")
            .define("log.retention.hours", INT, 168, any(), HIGH, "How long in hours a log file is kept")
            .define("log.retention.bytes", LONG, -1L, any(), HIGH, CLUSTER_WIDE,
                    "The maximum size of a partition's log before old segments are deleted")
            .define("log.retention.check.interval.ms", LONG, 300_000L, atLeast(1), MEDIUM,
                    "How often the broker checks whether any log is eligible for deletion")
            .define("log.cleanup.policy", LIST, "delete", Validators.listOf(true, "compact", "delete"), MEDIUM,
                    CLUSTER_WIDE, "The default cleanup policy for segments beyond the retention window")
            .define("log.index.size.max.bytes", INT, TopicConfigs.INDEX_SIZE_MAX_BYTES_DEFAULT, atLeast(4), MEDIUM,
                    CLUSTER_WIDE, "The maximum size in bytes of the offset index")
            .define("log.index.interval.bytes", INT, 4096, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "The interval with which an entry is added to the offset index")
            .define("log.flush.interval.messages", LONG, Long.MAX_VALUE, atLeast(1), HIGH, CLUSTER_WIDE,
                    "Messages accumulated on a partition before they are flushed to disk")
            .define("log.flush.interval.ms", LONG, null, any(), HIGH, CLUSTER_WIDE,
                    "The maximum time a message is kept in memory before a flush; "
                            + "log.flush.scheduler.interval.ms when not set")
            .define("log.flush.scheduler.interval.ms", LONG, Long.MAX_VALUE, any(), HIGH,
                    "How often the log flusher checks whether any log needs a flush")
            .define("log.flush.offset.checkpoint.interval.ms", INT, 60_000, atLeast(0), HIGH,
                    "How often the recovery point checkpoint is written")
            .define("log.flush.start.offset.checkpoint.interval.ms", INT, 60_000, atLeast(0), HIGH,
                    "How often the log start offset checkpoint is written")
            .define("log.segment.delete.delay.ms", LONG, 60_000L, atLeast(0), HIGH, CLUSTER_WIDE,
                    "The time to wait before deleting a file from the filesystem")
            .define("log.preallocate", BOOLEAN, false, any(), MEDIUM, CLUSTER_WIDE,
                    "Preallocate the file when a new segment is created")
            .define("log.message.timestamp.type", STRING, "CreateTime",
                    Validators.oneOf("CreateTime", "LogAppendTime"), MEDIUM, CLUSTER_WIDE,
                    "Whether record timestamps are the create time or the log append time")
            .define("log.message.timestamp.before.max.ms", LONG, Long.MAX_VALUE, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "How far a CreateTime timestamp may lie behind the broker's clock")
            .define("log.message.timestamp.after.max.ms", LONG, 3_600_000L, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "How far a CreateTime timestamp may lie ahead of the broker's clock")
            .define("log.local.retention.ms", LONG, -2L, atLeast(-2), MEDIUM, CLUSTER_WIDE,
                    "Local log time kept with tiered storage; -2 means log.retention.ms")
            .define("log.local.retention.bytes", LONG, -2L, atLeast(-2), MEDIUM, CLUSTER_WIDE,
                    "Local log size kept with tiered storage; -2 means log.retention.bytes")
            .define("log.dir.failure.timeout.ms", LONG, 30_000L, atLeast(1), LOW,
                    "How long a failed log directory may go unreported before the broker shuts down")
            .define("log.segment.open.files.max", INT, 10_000, atLeast(1), LOW,
                    "Fjord: inactive segments whose files are kept open")
            .define("log.segment.open.idle.ms", LONG, 600_000L, atLeast(0), LOW,
                    "Fjord: close the files of a segment idle this long")
            .define("num.recovery.threads.per.data.dir", INT, 2, atLeast(1), HIGH, CLUSTER_WIDE,
                    "Threads per data directory that recover logs at startup and flush them at shutdown")
            .define("log.cleaner.enable", BOOLEAN, true, any(), MEDIUM,
                    "Run the log cleaner that compacts topics with cleanup.policy=compact")
            .define("log.cleaner.threads", INT, 1, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "Background threads of the log cleaner")
            .define("log.cleaner.dedupe.buffer.size", LONG, 128L * 1024 * 1024, any(), MEDIUM, CLUSTER_WIDE,
                    "Memory for the offset maps of all cleaner threads")
            .define("log.cleaner.io.buffer.size", INT, 512 * 1024, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "Memory for the I/O buffers of all cleaner threads")
            .define("log.cleaner.io.buffer.load.factor", DOUBLE, 0.9, any(), MEDIUM, CLUSTER_WIDE,
                    "How full a cleaner's offset map may get")
            .define("log.cleaner.backoff.ms", LONG, 15_000L, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "How long the cleaner sleeps when no log needs cleaning")
            .define("log.cleaner.io.max.bytes.per.second", DOUBLE, Double.MAX_VALUE, any(), MEDIUM, CLUSTER_WIDE,
                    "I/O throttle of the cleaner threads")
            .define("log.cleaner.delete.retention.ms", LONG, TopicConfigs.DAY_MS, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "How long delete tombstones are kept on compacted topics")
            .define("log.cleaner.min.compaction.lag.ms", LONG, 0L, atLeast(0), MEDIUM, CLUSTER_WIDE,
                    "The minimum time a message remains uncompacted")
            .define("log.cleaner.max.compaction.lag.ms", LONG, Long.MAX_VALUE, atLeast(1), MEDIUM, CLUSTER_WIDE,
                    "The maximum time a message remains ineligible for compaction")
            .define("log.cleaner.min.cleanable.ratio", DOUBLE, 0.5, Validators.betweenDecimal(0, 1), MEDIUM,
                    CLUSTER_WIDE, "Dirty share of a log that makes it eligible for compaction")
            .define("message.max.bytes", INT, TopicConfigs.MAX_MESSAGE_BYTES_DEFAULT, atLeast(0), HIGH, CLUSTER_WIDE,
                    "The largest record batch size allowed (after compression)")
            .define("max.decompressed.message.bytes", INT, TopicConfigs.MAX_DECOMPRESSED_MESSAGE_BYTES_DEFAULT,
                    atLeast(0), MEDIUM, CLUSTER_WIDE, "The largest decompressed record the broker accepts")
            .define("compression.type", STRING, "producer", Validators.oneOf(TopicConfigs.COMPRESSION_TYPES), HIGH,
                    CLUSTER_WIDE, "Final compression type of topics; producer keeps the producer's codec")
            .define("compression.gzip.level", INT, TopicConfigs.GZIP_LEVEL_DEFAULT, Validators.gzipLevel(), MEDIUM,
                    CLUSTER_WIDE, "The compression level to use if compression.type is gzip")
            .define("compression.lz4.level", INT, TopicConfigs.LZ4_LEVEL_DEFAULT,
                    between(TopicConfigs.LZ4_LEVEL_MIN, TopicConfigs.LZ4_LEVEL_MAX), MEDIUM, CLUSTER_WIDE,
                    "The compression level to use if compression.type is lz4")
            .define("compression.zstd.level", INT, TopicConfigs.ZSTD_LEVEL_DEFAULT,
                    between(TopicConfigs.ZSTD_LEVEL_MIN, TopicConfigs.ZSTD_LEVEL_MAX), MEDIUM, CLUSTER_WIDE,
                    "The compression level to use if compression.type is zstd")
            .define("min.insync.replicas", INT, 1, atLeast(1), HIGH, CLUSTER_WIDE,
                    "In-sync replicas needed for an acks=all write to succeed")
            .define("unclean.leader.election.enable", BOOLEAN, false, any(), HIGH, CLUSTER_WIDE,
                    "Allow replicas outside the ISR to become leader as a last resort")
            .build();

    private LogBrokerConfigs() {
    }
}
