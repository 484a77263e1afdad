package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetIndexTest {
    @TempDir
    Path directory;

    private OffsetIndex index(int maxBytes) {
        return new OffsetIndex(directory.resolve("00000000000000000100.index"), 100, maxBytes, true);
    }

    @Test
    void lookupFindsTheLargestEntryAtOrBelowTheTarget() {
        OffsetIndex index = index(80);
        assertThat(index.lookup(150)).isEqualTo(new OffsetIndex.Entry(100, 0));
        index.append(104, 0);
        index.append(110, 200);
        index.append(120, 450);
        assertThat(index.lookup(99)).isEqualTo(new OffsetIndex.Entry(100, 0));
        assertThat(index.lookup(103)).isEqualTo(new OffsetIndex.Entry(100, 0));
        assertThat(index.lookup(104)).isEqualTo(new OffsetIndex.Entry(104, 0));
        assertThat(index.lookup(115)).isEqualTo(new OffsetIndex.Entry(110, 200));
        assertThat(index.lookup(120)).isEqualTo(new OffsetIndex.Entry(120, 450));
        assertThat(index.lookup(Long.MAX_VALUE)).isEqualTo(new OffsetIndex.Entry(120, 450));
        assertThat(index.lastEntry()).isEqualTo(new OffsetIndex.Entry(120, 450));
        assertThat(index.entry(1)).isEqualTo(new OffsetIndex.Entry(110, 200));
        index.close();
    }

    @Test
    void appendsMustGrowAndFitTheIndex() {
        OffsetIndex index = index(16);
        assertThat(index.maxEntries()).isEqualTo(2);
        index.append(101, 10);
        assertThatThrownBy(() -> index.append(101, 20)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> index.append(105, 5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> index.append(99, 20)).isInstanceOf(IllegalStateException.class);
        index.append(102, 20);
        assertThat(index.isFull()).isTrue();
        assertThatThrownBy(() -> index.append(103, 30)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("full");
        assertThat(index.entries()).isEqualTo(2);
        index.close();
    }

    @Test
    void offsetsBeyondARelativeIntegerAreRejected() {
        OffsetIndex index = index(16);
        assertThatThrownBy(() -> index.append(100L + Integer.MAX_VALUE + 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        index.close();
    }

    @Test
    void truncateDropsEntriesAtAndAfterTheOffset() {
        OffsetIndex index = index(80);
        index.append(104, 0);
        index.append(110, 200);
        index.append(120, 450);
        index.truncateToOffset(110);
        assertThat(index.entries()).isEqualTo(1);
        assertThat(index.lookup(130)).isEqualTo(new OffsetIndex.Entry(104, 0));
        index.append(106, 100);
        assertThat(index.lastEntry()).isEqualTo(new OffsetIndex.Entry(106, 100));
        index.truncateToOffset(50);
        assertThat(index.entries()).isZero();
        index.append(101, 0);
        index.truncateToEntries(5);
        assertThat(index.entries()).isEqualTo(1);
        index.truncateToEntries(0);
        assertThat(index.entries()).isZero();
        index.close();
    }

    @Test
    void trimShrinksTheFileAndResizeGrowsItKeepingEntries() throws Exception {
        OffsetIndex index = index(800);
        assertThat(Files.size(index.file())).isEqualTo(800);
        index.append(101, 0);
        index.append(102, 70);
        index.trimToValidSize();
        assertThat(Files.size(index.file())).isEqualTo(16);
        assertThat(index.isFull()).isTrue();
        assertThat(index.lookup(102)).isEqualTo(new OffsetIndex.Entry(102, 70));
        index.resize(85);
        assertThat(Files.size(index.file())).isEqualTo(80);
        assertThat(index.maxEntries()).isEqualTo(10);
        index.append(103, 90);
        assertThat(index.entries()).isEqualTo(3);
        index.resize(0); // never below the entries held
        assertThat(index.entries()).isEqualTo(3);
        assertThat(Files.size(index.file())).isEqualTo(24);
        index.close();
    }

    @Test
    void reopeningATrimmedIndexKeepsItsEntries() {
        OffsetIndex index = index(800);
        index.append(101, 0);
        index.append(107, 300);
        index.trimToValidSize();
        index.close();
        OffsetIndex reopened = new OffsetIndex(directory.resolve("00000000000000000100.index"), 100, 800, false);
        assertThat(reopened.entries()).isEqualTo(2);
        assertThat(reopened.lookup(108)).isEqualTo(new OffsetIndex.Entry(107, 300));
        assertThat(reopened.isSane(301)).isTrue();
        reopened.close();
    }

    @Test
    void sanityCheckRejectsEntriesOutsideTheSegmentOrOutOfOrder() {
        OffsetIndex index = index(80);
        index.append(101, 0);
        index.append(102, 100);
        assertThat(index.isSane(101)).isTrue();
        assertThat(index.isSane(100)).as("position at the segment end").isFalse();
        index.close();

        // An index of zeros (a preallocated file left by a crash) repeats offset 0 and is not sane.
        OffsetIndex zeros = new OffsetIndex(directory.resolve("00000000000000000000.index"), 0, 32, true);
        zeros.close();
        OffsetIndex reopened = new OffsetIndex(directory.resolve("00000000000000000000.index"), 0, 32, false);
        assertThat(reopened.entries()).isEqualTo(4);
        assertThat(reopened.isSane(1000)).isFalse();
        reopened.close();
    }
}
