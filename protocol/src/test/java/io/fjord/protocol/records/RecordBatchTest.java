package io.fjord.protocol.records;

import static io.fjord.protocol.records.KafkaBatches.TIMESTAMP;
import static io.fjord.protocol.records.KafkaBatches.buffer;
import static io.fjord.protocol.records.KafkaBatches.compression;
import static io.fjord.protocol.records.KafkaBatches.kafkaView;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordBatchTest {

    /** Every field of the view against kafka-clients' reading of the same bytes. */
    private static void assertMatchesKafka(ByteBuffer buffer) {
        RecordBatch view = RecordBatch.at(buffer);
        DefaultRecordBatch kafka = kafkaView(buffer);
        assertThat(view.baseOffset()).isEqualTo(kafka.baseOffset());
        assertThat(view.sizeInBytes()).isEqualTo(kafka.sizeInBytes()).isEqualTo(buffer.remaining());
        assertThat(view.batchLength()).isEqualTo(kafka.sizeInBytes() - RecordBatch.LOG_OVERHEAD_BYTES);
        assertThat(view.partitionLeaderEpoch()).isEqualTo(kafka.partitionLeaderEpoch());
        assertThat(view.magic()).isEqualTo(kafka.magic()).isEqualTo(RecordBatch.MAGIC_V2);
        assertThat(view.storedCrc()).isEqualTo(kafka.checksum());
        assertThat(view.computeCrc()).isEqualTo(kafka.checksum());
        assertThat(view.isCrcValid()).isEqualTo(kafka.isValid()).isTrue();
        assertThat(view.compressionType().id()).isEqualTo(kafka.compressionType().id);
        assertThat(view.compressionType().configName()).isEqualTo(kafka.compressionType().name);
        assertThat(view.timestampType().configName()).isEqualTo(kafka.timestampType().name);
        assertThat(view.isTransactional()).isEqualTo(kafka.isTransactional());
        assertThat(view.isControlBatch()).isEqualTo(kafka.isControlBatch());
        assertThat(view.hasDeleteHorizon()).isEqualTo(kafka.deleteHorizonMs().isPresent());
        assertThat(view.deleteHorizonMs()).isEqualTo(kafka.deleteHorizonMs().orElse(RecordBatch.NO_TIMESTAMP));
        assertThat(view.lastOffsetDelta()).isEqualTo(kafka.lastOffset() - kafka.baseOffset());
        assertThat(view.lastOffset()).isEqualTo(kafka.lastOffset());
        assertThat(view.nextOffset()).isEqualTo(kafka.nextOffset());
        assertThat(view.baseTimestamp()).isEqualTo(kafka.baseTimestamp());
        assertThat(view.maxTimestamp()).isEqualTo(kafka.maxTimestamp());
        assertThat(view.producerId()).isEqualTo(kafka.producerId());
        assertThat(view.producerEpoch()).isEqualTo(kafka.producerEpoch());
        assertThat(view.baseSequence()).isEqualTo(kafka.baseSequence());
        assertThat(view.lastSequence()).isEqualTo(kafka.lastSequence());
        assertThat(view.recordCount()).isEqualTo(kafka.countOrNull());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void plainBatchFieldsMatchKafka(CompressionType type) {
        ByteBuffer buffer = buffer(MemoryRecords.withRecords(1_000L, compression(type), 3,
                KafkaBatches.records(5)));
        assertMatchesKafka(buffer);
        RecordBatch view = RecordBatch.at(buffer);
        assertThat(view.compressionType()).isEqualTo(type);
        assertThat(view.baseOffset()).isEqualTo(1_000L);
        assertThat(view.lastOffset()).isEqualTo(1_004L);
        assertThat(view.nextOffset()).isEqualTo(1_005L);
        assertThat(view.recordCount()).isEqualTo(5);
        assertThat(view.partitionLeaderEpoch()).isEqualTo(3);
        assertThat(view.baseTimestamp()).isEqualTo(TIMESTAMP);
        assertThat(view.maxTimestamp()).isEqualTo(TIMESTAMP + 40);
        assertThat(view.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(view.producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
        assertThat(view.producerEpoch()).isEqualTo(RecordBatch.NO_PRODUCER_EPOCH);
        assertThat(view.baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
        assertThat(view.lastSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
        assertThat(view.isTransactional()).isFalse();
        assertThat(view.isControlBatch()).isFalse();
        assertThat(view.hasDeleteHorizon()).isFalse();
        assertThat(view.attributes() & 0x07).isEqualTo(type.id());
    }

    @Test
    void idempotentBatchFieldsMatchKafka() {
        ByteBuffer buffer = buffer(MemoryRecords.withIdempotentRecords(RecordBatch.MAGIC_V2, 42L,
                Compression.NONE, 9_001L, (short) 4, 17, 2, KafkaBatches.records(3)));
        assertMatchesKafka(buffer);
        RecordBatch view = RecordBatch.at(buffer);
        assertThat(view.producerId()).isEqualTo(9_001L);
        assertThat(view.producerEpoch()).isEqualTo((short) 4);
        assertThat(view.baseSequence()).isEqualTo(17);
        assertThat(view.lastSequence()).isEqualTo(19);
        assertThat(view.isTransactional()).isFalse();
    }

    @Test
    void transactionalBatchFieldsMatchKafka() {
        ByteBuffer buffer = buffer(MemoryRecords.withTransactionalRecords(RecordBatch.MAGIC_V2, 7L,
                compression(CompressionType.LZ4), 55L, (short) 1, 0, 9, KafkaBatches.records(4)));
        assertMatchesKafka(buffer);
        RecordBatch view = RecordBatch.at(buffer);
        assertThat(view.isTransactional()).isTrue();
        assertThat(view.isControlBatch()).isFalse();
        assertThat(view.attributes() & 0x10).isNotZero();
    }

    @Test
    void controlBatchFieldsMatchKafka() {
        ByteBuffer buffer = buffer(MemoryRecords.withEndTransactionMarker(300L, TIMESTAMP, 6, 55L, (short) 2,
                new EndTransactionMarker(ControlRecordType.ABORT, 11)));
        assertMatchesKafka(buffer);
        RecordBatch view = RecordBatch.at(buffer);
        assertThat(view.isControlBatch()).isTrue();
        assertThat(view.isTransactional()).isTrue();
        assertThat(view.recordCount()).isEqualTo(1);
        assertThat(view.partitionLeaderEpoch()).isEqualTo(6);
    }

    @Test
    void logAppendTimeBatchFieldsMatchKafka() {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.MAGIC_V2,
                Compression.NONE, org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, 0L, TIMESTAMP + 999);
        for (var record : KafkaBatches.records(2)) {
            builder.append(record);
        }
        ByteBuffer buffer = buffer(builder.build());
        assertMatchesKafka(buffer);
        RecordBatch view = RecordBatch.at(buffer);
        assertThat(view.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(view.maxTimestamp()).isEqualTo(TIMESTAMP + 999);
    }

    @Test
    void deleteHorizonBatchFieldsMatchKafka() {
        long horizonMs = TIMESTAMP + 86_400_000L;
        MemoryRecordsBuilder builder = new MemoryRecordsBuilder(new ByteBufferOutputStream(256), RecordBatch.MAGIC_V2,
                Compression.NONE, org.apache.kafka.common.record.TimestampType.CREATE_TIME, 10L,
                RecordBatch.NO_TIMESTAMP, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, false, false, RecordBatch.NO_PARTITION_LEADER_EPOCH, Integer.MAX_VALUE,
                horizonMs);
        builder.appendWithOffset(10L, TIMESTAMP, KafkaBatches.bytes("key"), null);
        ByteBuffer buffer = buffer(builder.build());
        assertMatchesKafka(buffer);
        RecordBatch view = RecordBatch.at(buffer);
        assertThat(view.hasDeleteHorizon()).isTrue();
        assertThat(view.deleteHorizonMs()).isEqualTo(horizonMs);
        assertThat(view.baseTimestamp()).isEqualTo(horizonMs);
        assertThat(view.maxTimestamp()).isEqualTo(TIMESTAMP);
    }

    @Test
    void lastSequenceWrapsAtIntegerMaxLikeKafka() {
        ByteBuffer buffer = buffer(MemoryRecords.withIdempotentRecords(RecordBatch.MAGIC_V2, 0L, Compression.NONE,
                5L, (short) 0, Integer.MAX_VALUE - 1, 0, KafkaBatches.records(5)));
        assertMatchesKafka(buffer);
        // MAX-1, MAX, 0, 1, 2
        assertThat(RecordBatch.at(buffer).lastSequence()).isEqualTo(2);

        ByteBuffer exactlyMax = buffer(MemoryRecords.withIdempotentRecords(RecordBatch.MAGIC_V2, 0L,
                Compression.NONE, 5L, (short) 0, Integer.MAX_VALUE - 2, 0, KafkaBatches.records(3)));
        assertMatchesKafka(exactlyMax);
        assertThat(RecordBatch.at(exactlyMax).lastSequence()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void viewReadsAtAnAbsolutePositionWithoutMovingTheBuffer() {
        ByteBuffer batch = KafkaBatches.plain(CompressionType.NONE, 2);
        ByteBuffer padded = ByteBuffer.allocate(batch.remaining() + 20);
        padded.position(13);
        padded.put(batch.duplicate());
        padded.position(3).limit(padded.capacity() - 2);
        RecordBatch view = new RecordBatch(padded, 13);
        assertThat(view.isCrcValid()).isTrue();
        assertThat(view.recordCount()).isEqualTo(2);
        assertThat(view.slice()).isEqualTo(batch);
        assertThat(padded.position()).isEqualTo(3);
        assertThat(padded.limit()).isEqualTo(padded.capacity() - 2);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void settingBaseOffsetAndLeaderEpochKeepsTheCrcValidAndMatchesKafka(CompressionType type) {
        ByteBuffer ours = KafkaBatches.plain(type, 4);
        ByteBuffer theirs = KafkaBatches.plain(type, 4);
        long crcBefore = RecordBatch.at(ours).storedCrc();

        RecordBatch view = RecordBatch.at(ours);
        view.setBaseOffset(5_000L);
        view.setPartitionLeaderEpoch(12);
        DefaultRecordBatch kafka = kafkaView(theirs);
        kafka.setLastOffset(5_003L);
        kafka.setPartitionLeaderEpoch(12);

        assertThat(ours).isEqualTo(theirs);
        assertThat(view.storedCrc()).isEqualTo(crcBefore);
        assertThat(view.isCrcValid()).isTrue();
        DefaultRecordBatch reread = kafkaView(ours);
        reread.ensureValid();
        assertThat(reread.baseOffset()).isEqualTo(5_000L);
        assertThat(reread.partitionLeaderEpoch()).isEqualTo(12);
        List<Long> offsets = new ArrayList<>();
        for (Record record : reread) {
            offsets.add(record.offset());
        }
        assertThat(offsets).containsExactly(5_000L, 5_001L, 5_002L, 5_003L);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void settingLogAppendTimeRecomputesTheCrcAsKafkaDoes(CompressionType type) {
        ByteBuffer ours = KafkaBatches.plain(type, 3);
        ByteBuffer theirs = KafkaBatches.plain(type, 3);
        long appendTimeMs = TIMESTAMP + 123_456;

        RecordBatch view = RecordBatch.at(ours);
        view.setLogAppendTime(appendTimeMs);
        kafkaView(theirs).setMaxTimestamp(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, appendTimeMs);

        assertThat(ours).isEqualTo(theirs);
        assertThat(view.isCrcValid()).isTrue();
        assertThat(view.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(view.maxTimestamp()).isEqualTo(appendTimeMs);
        assertThat(view.compressionType()).isEqualTo(type);
        DefaultRecordBatch reread = kafkaView(ours);
        reread.ensureValid();
        for (Record record : reread) {
            assertThat(record.timestamp()).isEqualTo(appendTimeMs);
        }
    }

    @Test
    void changingCoveredBytesInvalidatesTheCrcUntilRewritten() {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.NONE, 2);
        RecordBatch view = RecordBatch.at(buffer);
        int last = buffer.limit() - 1;
        buffer.put(last, (byte) (buffer.get(last) ^ 0x01));
        assertThat(view.isCrcValid()).isFalse();
        assertThat(kafkaView(buffer).isValid()).isFalse();
        view.writeCrc();
        assertThat(view.isCrcValid()).isTrue();
        assertThat(kafkaView(buffer).isValid()).isTrue();
    }
}
