package io.fjord.raft.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EntryBatchesTest {
    private static final Set<Integer> VOTERS = Set.of(1, 2, 3);

    private static LogEntry data(long offset, int epoch, String text) {
        return new LogEntry(offset, epoch, EntryType.DATA, text.getBytes());
    }

    private static LogEntry leaderChange(long offset, int epoch, int leaderId) {
        return new LogEntry(offset, epoch, EntryType.LEADER_CHANGE, ByteBuffer.allocate(4).putInt(leaderId).array());
    }

    @Test
    void entriesRoundTripAsOneBatchEachWithTheirEpochAsPartitionLeaderEpoch() {
        List<LogEntry> entries = List.of(leaderChange(0, 1, 2), data(1, 1, "a"), data(2, 1, ""), leaderChange(3, 4, 3),
                data(4, 4, "bcd"));
        ByteBuffer bytes = EntryBatches.encode(entries, VOTERS);

        List<RecordBatch> batches = new ArrayList<>();
        RecordBatches.of(bytes).forEach(batches::add);
        assertThat(batches).hasSize(5);
        assertThat(batches).extracting(RecordBatch::partitionLeaderEpoch).containsExactly(1, 1, 1, 4, 4);
        assertThat(batches).extracting(RecordBatch::isControlBatch).containsExactly(true, false, false, true, false);
        assertThat(batches).allMatch(RecordBatch::isCrcValid);
        assertThat(EntryBatches.decode(bytes, 100, 1024)).isEqualTo(entries);
    }

    @Test
    void aVotersEntryIsAControlBatchOfKafkasVotersTypeHoldingTheCoresVoterSet() {
        byte[] voters = io.fjord.raft.VoterSet.ofIds(java.util.Set.of(1, 2, 4)).encode();
        LogEntry entry = new LogEntry(5, 3, io.fjord.raft.EntryType.VOTERS, voters);
        ByteBuffer bytes = EntryBatches.encode(List.of(entry), VOTERS);

        RecordBatch batch = RecordBatch.at(bytes.duplicate());
        assertThat(batch.isControlBatch()).isTrue();
        Record record = RecordCodec.decode(batch, 1024).get(0);
        assertThat(record.key().getShort(2)).isEqualTo((short) 6); // KRAFT_VOTERS
        assertThat(EntryBatches.decode(bytes, 10, 1024)).containsExactly(entry);
    }

    @Test
    void aLeaderChangeIsKafkasControlRecordWithALeaderChangeMessage() {
        ByteBuffer bytes = EntryBatches.encode(List.of(leaderChange(0, 7, 2)), List.of(1, 2, 3));
        Record record = RecordCodec.decode(RecordBatch.at(bytes), 1024).get(0);

        // Control key: version 0, type 2 (LEADER_CHANGE).
        assertThat(record.key().getShort(0)).isZero();
        assertThat(record.key().getShort(2)).isEqualTo((short) 2);
        // LeaderChangeMessage v0, flexible: version, leader id, voters (compact array of 3 + tags), granting voters
        // (empty compact array), tagged fields.
        ByteBuffer expected = ByteBuffer.allocate(2 + 4 + 1 + 3 * 5 + 1 + 1).putShort((short) 0).putInt(2)
                .put((byte) 4).putInt(1).put((byte) 0).putInt(2).put((byte) 0).putInt(3).put((byte) 0)
                .put((byte) 1).put((byte) 0).flip();
        assertThat(record.value()).isEqualTo(expected);
    }

    @Test
    void aTornTailIsIgnoredAndADamagedBatchRefused() {
        ByteBuffer bytes = EntryBatches.encode(List.of(data(0, 1, "a"), data(1, 1, "b")), VOTERS);
        ByteBuffer torn = bytes.duplicate().limit(bytes.limit() - 3);
        assertThat(EntryBatches.decode(torn, 100, 1024)).containsExactly(data(0, 1, "a"));

        ByteBuffer damaged = ByteBuffer.allocate(bytes.remaining()).put(bytes.duplicate()).flip();
        damaged.put(damaged.limit() - 1, (byte) (damaged.get(damaged.limit() - 1) ^ 1));
        assertThatThrownBy(() -> EntryBatches.decode(damaged, 100, 1024))
                .isInstanceOf(InvalidEntriesException.class).hasMessageContaining("CRC");
    }

    @Test
    void limitsAndGapsAreRefused() {
        ByteBuffer three = EntryBatches.encode(List.of(data(0, 1, "a"), data(1, 1, "b"), data(2, 1, "c")), VOTERS);
        assertThatThrownBy(() -> EntryBatches.decode(three.duplicate(), 2, 1024))
                .isInstanceOf(InvalidEntriesException.class);
        assertThatThrownBy(() -> EntryBatches.decode(EntryBatches.encode(List.of(data(0, 1, "abcd")), VOTERS), 10, 3))
                .isInstanceOf(InvalidEntriesException.class);
        ByteBuffer gap = EntryBatches.encode(List.of(data(0, 1, "a"), data(2, 1, "c")), VOTERS);
        assertThatThrownBy(() -> EntryBatches.decode(gap, 10, 1024)).isInstanceOf(InvalidEntriesException.class)
                .hasMessageContaining("does not follow");
    }
}
