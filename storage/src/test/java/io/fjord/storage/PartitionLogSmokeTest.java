package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogSmokeTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(1_000_000);

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    private PartitionLog open(LogConfig config, boolean clean, long recoveryPoint) {
        return PartitionLog.open(root.resolve("orders-0"), config, recoveryPoint, 0, clean, clock,
                SegmentHandleCache.unbounded(), background);
    }

    private static List<String> values(ByteBuffer bytes) {
        List<String> values = new ArrayList<>();
        for (RecordBatch batch : RecordBatches.of(bytes)) {
            for (Record record : RecordCodec.decode(batch, Long.MAX_VALUE)) {
                values.add(record.offset() + ":" + TestBatches.string(record.value()));
            }
        }
        return values;
    }

    @Test
    void appendsReadsRollsAndRecovers() {
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 300).with(LogConfig.INDEX_INTERVAL_BYTES, 1);
        PartitionLog log = open(config, true, 0);
        List<String> expected = new ArrayList<>();
        for (int index = 0; index < 20; index++) {
            AppendResult result = log.appendAsLeader(TestBatches.batch(clock.millis() + index, "a" + index, "b" + index), 0);
            assertThat(result.firstOffset()).isEqualTo(2L * index);
            assertThat(result.lastOffset()).isEqualTo(2L * index + 1);
            expected.add((2 * index) + ":a" + index);
            expected.add((2 * index + 1) + ":b" + index);
        }
        assertThat(log.segmentCount()).isGreaterThan(3);
        assertThat(values(log.readAllFrom(0))).containsExactlyElementsOf(expected);
        assertThat(values(log.readAllFrom(17))).first().isEqualTo("16:a8");
        assertThat(log.offsetForTimestamp(clock.millis() + 7).orElseThrow().offset()).isEqualTo(14);
        log.close();

        PartitionLog reopened = open(config, true, 0);
        assertThat(reopened.logEndOffset()).isEqualTo(40);
        assertThat(values(reopened.readAllFrom(0))).containsExactlyElementsOf(expected);
        reopened.closeAbruptly();

        PartitionLog recovered = open(config, false, 0);
        assertThat(recovered.logEndOffset()).isEqualTo(40);
        assertThat(values(recovered.readAllFrom(0))).containsExactlyElementsOf(expected);
        recovered.appendAsLeader(TestBatches.batch(clock.millis(), "c"), 0);
        assertThat(recovered.logEndOffset()).isEqualTo(41);
        recovered.close();
    }
}
