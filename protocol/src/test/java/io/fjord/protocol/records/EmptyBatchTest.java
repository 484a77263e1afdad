package io.fjord.protocol.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.codec.RecordCodec;
import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;

class EmptyBatchTest {
    @Test
    void writesAValidEmptyBatchSpanningTheRange() {
        ByteBuffer bytes = EmptyBatch.of(100, 142, 7, 5_000);
        RecordBatch batch = new RecordBatch(bytes, 0);

        assertThat(batch.sizeInBytes()).isEqualTo(RecordBatch.HEADER_SIZE_BYTES).isEqualTo(bytes.remaining());
        assertThat(batch.baseOffset()).isEqualTo(100);
        assertThat(batch.lastOffset()).isEqualTo(142);
        assertThat(batch.recordCount()).isZero();
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(7);
        assertThat(batch.maxTimestamp()).isEqualTo(5_000);
        assertThat(batch.isCrcValid()).isTrue();
        assertThat(RecordBatchValidator.validateFrameAndCrc(bytes, 0, bytes.remaining()))
                .isEqualTo(RecordBatch.HEADER_SIZE_BYTES);
        assertThat(RecordCodec.decode(batch, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void kafkaClientsAcceptsTheEmptyBatch() {
        ByteBuffer bytes = EmptyBatch.of(3, 3, -1, RecordBatch.NO_TIMESTAMP);
        var batches = MemoryRecords.readableRecords(bytes.duplicate()).batches().iterator();
        var kafkaBatch = batches.next();
        kafkaBatch.ensureValid();
        assertThat(kafkaBatch.baseOffset()).isEqualTo(3);
        assertThat(kafkaBatch.lastOffset()).isEqualTo(3);
        assertThat(kafkaBatch.countOrNull()).isZero();
        assertThat(kafkaBatch.iterator().hasNext()).isFalse();
        assertThat(batches.hasNext()).isFalse();
    }

    @Test
    void rejectsAnInvalidRange() {
        assertThatThrownBy(() -> EmptyBatch.of(10, 9, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmptyBatch.of(0, 1L << 40, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
