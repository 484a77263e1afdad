package io.fjord.protocol.codec;

import io.fjord.protocol.codec.generated.MessageConverters;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Writes responses with kafka-clients' generated writers, keeping record data that lies in files out of the heap:
 * such records become file-region parts of the {@link EncodedResponse}, sent with zero copy.
 *
 * <p>Stateless and thread-safe.
 */
public final class ResponseEncoder {
    private ResponseEncoder() {
    }

    /**
     * Encodes a response to a request of {@code apiKey} at {@code apiVersion}. ApiVersions responses always carry
     * response header v0 (so that a client can read them whatever version it asked for); other responses carry v1
     * when the version is flexible, else v0.
     */
    public static EncodedResponse encode(ApiKey apiKey, short apiVersion, int correlationId, ApiMessage response) {
        short headerVersion = (short) (apiKey != ApiKey.API_VERSIONS && apiKey.isFlexible(apiVersion) ? 1 : 0);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        org.apache.kafka.common.protocol.ApiMessage body = MessageConverters.responseToKafka(response);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, apiVersion);
        ByteBuffer heap = ByteBuffer.allocate(4 + size.sizeExcludingZeroCopy());
        heap.putInt(size.totalSize());
        PartsWriter writer = new PartsWriter(heap);
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, apiVersion);
        return new EncodedResponse(writer.finish(), 4 + size.totalSize());
    }

    /**
     * A writer into one heap buffer that cuts it where records go, so those travel as their own parts.
     */
    private static final class PartsWriter implements Writable {
        private final ByteBuffer heap;
        private final ByteBufferAccessor accessor;
        private final List<Object> parts = new ArrayList<>(3);
        private int sliceStart;

        PartsWriter(ByteBuffer heap) {
            this.heap = heap;
            this.accessor = new ByteBufferAccessor(heap);
        }

        @Override
        public void writeRecords(BaseRecords records) {
            // Kafka sizes all records as zero-copy bytes: they travel as their own parts, never copied.
            cutHeapPart();
            if (records instanceof MemoryRecords memory) {
                if (memory.sizeInBytes() > 0) {
                    parts.add(memory.buffer().duplicate());
                }
            } else {
                parts.add(((KafkaTypes.FileRegionKafkaRecords) records).region());
            }
        }

        private void cutHeapPart() {
            if (heap.position() > sliceStart) {
                parts.add(heap.duplicate().position(sliceStart).limit(heap.position()).slice());
                sliceStart = heap.position();
            }
        }

        List<Object> finish() {
            cutHeapPart();
            return parts;
        }

        @Override
        public void writeByte(byte value) {
            accessor.writeByte(value);
        }

        @Override
        public void writeShort(short value) {
            accessor.writeShort(value);
        }

        @Override
        public void writeInt(int value) {
            accessor.writeInt(value);
        }

        @Override
        public void writeLong(long value) {
            accessor.writeLong(value);
        }

        @Override
        public void writeDouble(double value) {
            accessor.writeDouble(value);
        }

        @Override
        public void writeByteArray(byte[] bytes) {
            accessor.writeByteArray(bytes);
        }

        @Override
        public void writeUnsignedVarint(int value) {
            accessor.writeUnsignedVarint(value);
        }

        /** Kafka writes only zero-copy byte fields this way, and sizes them outside the heap part. */
        @Override
        public void writeByteBuffer(ByteBuffer buffer) {
            cutHeapPart();
            if (buffer.hasRemaining()) {
                parts.add(buffer.duplicate());
            }
        }

        @Override
        public void writeVarint(int value) {
            accessor.writeVarint(value);
        }

        @Override
        public void writeVarlong(long value) {
            accessor.writeVarlong(value);
        }
    }
}
