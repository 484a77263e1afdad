package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.storage.LogModel.ExpectedRecord;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** offsetForTimestamp and maxTimestampAndOffset against a brute-force scan, before and after a clean reopen. */
class PartitionLogTimestampLookupTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"CreateTime", "LogAppendTime"})
    void lookupsMatchABruteForceScan(String timestampType) {
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 1500)
                .with(LogConfig.INDEX_INTERVAL_BYTES, 200).with(LogConfig.MESSAGE_TIMESTAMP_TYPE, timestampType);
        Path directory = root.resolve("time-0");
        PartitionLog log = LogTestSupport.open(directory, config, clock, background);
        LogModel model = new LogModel();
        Random random = new Random(timestampType.hashCode());
        for (int append = 0; append < 150; append++) {
            clock.advance(random.nextInt(20));
            List<Record> records = new ArrayList<>();
            for (int index = 0; index < 1 + random.nextInt(6); index++) {
                long timestamp = clock.millis() + random.nextInt(3000) - 1500;
                records.add(new Record(index, timestamp, null, TestBatches.utf8("v" + append), List.of()));
            }
            CompressionType compression = CompressionType.values()[random.nextInt(CompressionType.values().length)];
            ByteBuffer batch = RecordCodec.encode(BatchSpec.plain(0, compression), records);
            AppendResult result = log.appendAsLeader(batch, append % 3);
            model.appended(batch.duplicate().rewind(), List.of(records), result.logAppendTimeMs(), append % 3);
        }
        assertThat(log.segmentCount()).isGreaterThan(3);
        checkLookups(log, model);
        log.close();
        PartitionLog reopened = LogTestSupport.open(directory, config, clock, background);
        checkLookups(reopened, model);
        reopened.close();
    }

    private static void checkLookups(PartitionLog log, LogModel model) {
        TreeSet<Long> targets = new TreeSet<>();
        for (ExpectedRecord record : model.records().values()) {
            targets.add(record.timestamp() - 1);
            targets.add(record.timestamp());
            targets.add(record.timestamp() + 1);
        }
        for (long target : targets) {
            Optional<ExpectedRecord> expected = model.firstAtOrAfter(target, 0, log.logEndOffset());
            Optional<TimestampAndOffset> actual = log.offsetForTimestamp(target);
            assertThat(actual.map(found -> found.offset() + "@" + found.timestamp() + "/" + found.leaderEpoch()))
                    .as("offsetForTimestamp(%d)", target)
                    .isEqualTo(expected.map(record -> record.offset() + "@" + record.timestamp() + "/"
                            + record.leaderEpoch()));
        }
        ExpectedRecord max = model.firstWithMaxTimestamp().orElseThrow();
        TimestampAndOffset actualMax = log.maxTimestampAndOffset().orElseThrow();
        assertThat(actualMax.offset() + "@" + actualMax.timestamp()).as("maxTimestampAndOffset")
                .isEqualTo(max.offset() + "@" + max.timestamp());
    }
}
