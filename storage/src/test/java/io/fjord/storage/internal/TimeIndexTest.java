package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.records.RecordBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeIndexTest {
    @TempDir
    Path directory;

    private TimeIndex index(int maxBytes) {
        return new TimeIndex(directory.resolve("00000000000000000050.timeindex"), 50, maxBytes, true);
    }

    @Test
    void lookupBelowFindsTheLargestTimestampStrictlyBelowTheTarget() {
        TimeIndex index = index(120);
        assertThat(index.lookupBelow(1000)).isEqualTo(new TimeIndex.Entry(RecordBatch.NO_TIMESTAMP, 50));
        index.maybeAppend(1000, 52);
        index.maybeAppend(2000, 60);
        index.maybeAppend(3000, 61);
        assertThat(index.lookupBelow(1000)).isEqualTo(new TimeIndex.Entry(RecordBatch.NO_TIMESTAMP, 50));
        assertThat(index.lookupBelow(1001)).isEqualTo(new TimeIndex.Entry(1000, 52));
        assertThat(index.lookupBelow(2000)).isEqualTo(new TimeIndex.Entry(1000, 52));
        assertThat(index.lookupBelow(2500)).isEqualTo(new TimeIndex.Entry(2000, 60));
        assertThat(index.lookupBelow(Long.MAX_VALUE)).isEqualTo(new TimeIndex.Entry(3000, 61));
        assertThat(index.lastEntry()).isEqualTo(new TimeIndex.Entry(3000, 61));
        index.close();
    }

    @Test
    void appendsOnlyGrowingTimestampsAndNeverMovesOffsetsBack() {
        TimeIndex index = index(24);
        assertThat(index.maxEntries()).isEqualTo(2);
        index.maybeAppend(1000, 55);
        index.maybeAppend(1000, 56);
        index.maybeAppend(900, 57);
        assertThat(index.entries()).isEqualTo(1);
        assertThatThrownBy(() -> index.maybeAppend(1100, 54)).isInstanceOf(IllegalStateException.class);
        index.maybeAppend(1100, 58);
        assertThat(index.isFull()).isTrue();
        index.maybeAppend(1100, 59); // not larger: ignored even when full
        assertThatThrownBy(() -> index.maybeAppend(1200, 60)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("full");
        index.close();
    }

    @Test
    void truncateDropsEntriesAtAndAfterTheOffset() {
        TimeIndex index = index(120);
        index.maybeAppend(1000, 52);
        index.maybeAppend(2000, 60);
        index.maybeAppend(3000, 70);
        index.truncateToOffset(60);
        assertThat(index.entries()).isEqualTo(1);
        assertThat(index.lastEntry()).isEqualTo(new TimeIndex.Entry(1000, 52));
        index.truncateToOffset(52);
        assertThat(index.entries()).isZero();
        index.close();
    }

    @Test
    void trimAndResizeKeepEntries() throws Exception {
        TimeIndex index = index(130);
        assertThat(Files.size(index.file())).isEqualTo(120);
        index.maybeAppend(1000, 52);
        index.trimToValidSize();
        assertThat(Files.size(index.file())).isEqualTo(12);
        assertThat(index.isFull()).isTrue();
        index.resize(50);
        assertThat(index.maxEntries()).isEqualTo(4);
        index.maybeAppend(2000, 53);
        assertThat(index.lookupBelow(5000)).isEqualTo(new TimeIndex.Entry(2000, 53));
        index.close();
    }

    @Test
    void sanityCheckRejectsDecreasingEntries() {
        TimeIndex index = index(36);
        index.maybeAppend(1000, 52);
        index.maybeAppend(2000, 60);
        assertThat(index.isSane()).isTrue();
        index.close();
        TimeIndex zeros = new TimeIndex(directory.resolve("00000000000000000000.timeindex"), 0, 36, true);
        zeros.close();
        TimeIndex reopened = new TimeIndex(directory.resolve("00000000000000000000.timeindex"), 0, 36, false);
        assertThat(reopened.entries()).isEqualTo(3);
        assertThat(reopened.isSane()).isFalse();
        reopened.close();
    }
}
