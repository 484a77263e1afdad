package io.fjord.protocol.records;

/**
 * The bytes of a batch's records, read once from the front: the records of an uncompressed batch in place, or those
 * of a compressed batch as they are decompressed. {@link RecordFraming} walks records through it.
 *
 * <p>Implementations are not thread-safe: one walk at a time.
 */
public interface RecordSource {
    /** The next byte; INVALID_RECORD if the records end here. */
    byte readByte();

    /** Passes over {@code bytes} bytes without keeping them; INVALID_RECORD if the records end first. */
    void skip(long bytes);

    /** How many bytes were read or skipped so far. */
    long position();

    /** Whether every byte was read: no record follows. */
    boolean exhausted();

    /**
     * Checks, before a record of {@code sizeBytes} is walked, that the source can hold it: within the batch for
     * records in place (INVALID_RECORD), within the bound on decompressed bytes for a stream (MESSAGE_TOO_LARGE).
     */
    void requireRecord(int sizeBytes);
}
