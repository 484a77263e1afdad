package io.fjord.protocol.records;

/**
 * A record header: a string key and a byte value that may be null. Immutable by convention (the array is not
 * copied); thread-safe when callers leave the array alone.
 */
public record RecordHeader(String key, byte[] value) {
}
