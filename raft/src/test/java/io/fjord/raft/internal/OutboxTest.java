package io.fjord.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.raft.DurableState;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.Ready;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private static LogEntry entry(long offset, int epoch) {
        return new LogEntry(offset, epoch, EntryType.DATA, new byte[] {1});
    }

    @Test
    void truncatingEntriesTheDriverHasNotSeenOnlyDropsThemFromThePendingAppends() {
        Outbox outbox = new Outbox(5);
        outbox.append(entry(5, 2));
        outbox.append(entry(6, 2));
        outbox.truncate(6);
        Ready ready = outbox.drain(6);
        assertThat(ready.truncateToOffset()).isEqualTo(Ready.NO_TRUNCATION);
        assertThat(ready.entriesToAppend()).extracting(LogEntry::offset).containsExactly(5L);
    }

    @Test
    void truncatingBelowTheDriversLogKeepsTheLowestOffsetAndThenAppends() {
        Outbox outbox = new Outbox(10);
        outbox.truncate(8);
        outbox.append(entry(8, 3));
        outbox.truncate(6);
        outbox.append(entry(6, 4));
        outbox.writeDurableState(new DurableState(4, 1));
        Ready ready = outbox.drain(7);
        assertThat(ready.truncateToOffset()).isEqualTo(6);
        assertThat(ready.entriesToAppend()).extracting(LogEntry::offset).containsExactly(6L);
        assertThat(ready.durableState()).isEqualTo(new DurableState(4, 1));
        assertThat(outbox.hasReady()).isFalse();
    }

    @Test
    void aRaisedHighWatermarkIsReadyOnce() {
        Outbox outbox = new Outbox(0);
        outbox.highWatermark(3);
        assertThat(outbox.hasReady()).isTrue();
        assertThat(outbox.drain(0).highWatermark()).isEqualTo(3);
        assertThat(outbox.hasReady()).isFalse();
    }
}
