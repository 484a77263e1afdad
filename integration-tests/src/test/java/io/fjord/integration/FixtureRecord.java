package io.fjord.integration;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One record of an upgrade fixture as a manifest line: {@code record.<topic>.<partition>.<offset>} =
 * {@code key|value|timestampMs|name=value,...}. Each field is URL-encoded, which always escapes {@code | , = ~}, so
 * they can separate fields and {@code ~} can stand for null. Immutable.
 */
record FixtureRecord(String topic, int partition, long offset, String key, String value, long timestampMs,
        List<Map.Entry<String, String>> headers) {
    private static final String NULL = "~";
    private static final String PREFIX = "record.";

    FixtureRecord {
        headers = List.copyOf(headers);
    }

    /** The manifest key, with the offset zero-padded so that a sorted manifest lists a partition in offset order. */
    String manifestKey() {
        return PREFIX + topic + "." + partition + "." + String.format("%08d", offset);
    }

    String manifestValue() {
        List<String> encodedHeaders = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            encodedHeaders.add(encode(header.getKey()) + "=" + encode(header.getValue()));
        }
        return encode(key) + "|" + encode(value) + "|" + timestampMs + "|" + String.join(",", encodedHeaders);
    }

    static boolean isRecordKey(String manifestKey) {
        return manifestKey.startsWith(PREFIX);
    }

    /** Parses a line written by {@link #manifestKey()} and {@link #manifestValue()}; the topic has no dots. */
    static FixtureRecord parse(String manifestKey, String manifestValue) {
        String[] place = manifestKey.substring(PREFIX.length()).split("\\.");
        if (place.length != 3) {
            throw new IllegalArgumentException("Not a record key: " + manifestKey);
        }
        String[] fields = manifestValue.split("\\|", -1);
        if (fields.length != 4) {
            throw new IllegalArgumentException("Not a record value: " + manifestValue);
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (!fields[3].isEmpty()) {
            for (String header : fields[3].split(",")) {
                String[] nameAndValue = header.split("=", -1);
                headers.add(new AbstractMap.SimpleImmutableEntry<>(decode(nameAndValue[0]),
                        decode(nameAndValue[1])));
            }
        }
        return new FixtureRecord(place[0], Integer.parseInt(place[1]), Long.parseLong(place[2]), decode(fields[0]),
                decode(fields[1]), Long.parseLong(fields[2]), headers);
    }

    private static String encode(String text) {
        return text == null ? NULL : URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String decode(String text) {
        return NULL.equals(text) ? null : URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
