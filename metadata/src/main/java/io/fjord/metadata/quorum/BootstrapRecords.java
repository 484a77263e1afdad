package io.fjord.metadata.quorum;

import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.MetadataRecordSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Metadata records a brand-new cluster starts with besides its default features, written by {@code fjord format}
 * (today: the SCRAM credentials of {@code --add-scram}, as {@code kafka-storage format --add-scram} puts them in
 * Kafka's bootstrap metadata) into the metadata directory, and committed by the first active controller of a
 * brand-new cluster. File {@value #FILE_NAME}: a version (int32, 0), the record count (int32), each record as its
 * length (int32) and {@link MetadataRecordSerde} bytes, then a CRC-32C of everything before it. Reads are bounded and
 * checked. Stateless; thread-safe.
 */
public final class BootstrapRecords {
    public static final String FILE_NAME = "bootstrap-metadata.records";
    private static final int VERSION = 0;
    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    private BootstrapRecords() {
    }

    /** Writes {@code records} atomically into {@code metadataDirectory}. */
    public static void write(Path metadataDirectory, List<MetadataRecord> records) throws IOException {
        List<ByteBuffer> encoded = new ArrayList<>();
        int size = 8 + 4;
        for (MetadataRecord record : records) {
            ByteBuffer bytes = MetadataRecordSerde.write(record);
            encoded.add(bytes);
            size += 4 + bytes.remaining();
        }
        ByteBuffer file = ByteBuffer.allocate(size).putInt(VERSION).putInt(records.size());
        encoded.forEach(bytes -> file.putInt(bytes.remaining()).put(bytes));
        CRC32C crc = new CRC32C();
        crc.update(file.array(), 0, file.position());
        file.putInt((int) crc.getValue());
        Path temporary = metadataDirectory.resolve(FILE_NAME + ".tmp");
        Files.write(temporary, file.array());
        Files.move(temporary, metadataDirectory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The records in {@code metadataDirectory}'s file; none when there is no file. */
    public static List<MetadataRecord> read(Path metadataDirectory) throws IOException {
        Path path = metadataDirectory.resolve(FILE_NAME);
        if (!Files.exists(path)) {
            return List.of();
        }
        if (Files.size(path) > MAX_FILE_BYTES) {
            throw new IOException(path + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(path));
        try {
            CRC32C crc = new CRC32C();
            crc.update(file.array(), 0, file.limit() - 4);
            if ((int) crc.getValue() != file.getInt(file.limit() - 4)) {
                throw new IOException(path + " is corrupt (CRC mismatch)");
            }
            ByteBuffer body = file.limit(file.limit() - 4);
            if (body.getInt() != VERSION) {
                throw new IOException(path + " has an unknown version");
            }
            int count = body.getInt();
            if (count < 0 || count > body.remaining() / 4) {
                throw new IOException(path + " has a bad record count " + count);
            }
            List<MetadataRecord> records = new ArrayList<>(count);
            for (int index = 0; index < count; index++) {
                int length = body.getInt();
                if (length < 0 || length > body.remaining()) {
                    throw new IOException(path + " has a bad record length " + length);
                }
                records.add(MetadataRecordSerde.read(body.slice(body.position(), length)));
                body.position(body.position() + length);
            }
            return records;
        } catch (RuntimeException e) {
            throw new IOException(path + " is corrupt: " + e.getMessage(), e);
        }
    }
}
