package io.fjord.integration;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What an upgrade test must find in a fixture: sorted {@code key=value} lines in a properties file next to the
 * archive, written by {@link UpgradeFixtureGeneratorIT} from what the old node acknowledged and described, so the
 * test does not depend on the generator's code staying as it was. Not thread-safe.
 */
final class FixtureManifest {
    /** A manifest is small; a bigger file is not one. */
    private static final long MANIFEST_BYTES_MAX = 1024 * 1024;

    private final NavigableMap<String, String> entries = new TreeMap<>();

    void put(String key, Object value) {
        String text = String.valueOf(value);
        if (key.contains("=") || key.contains(":") || key.contains(" ") || text.contains("\n") || text.contains("\\")) {
            throw new IllegalArgumentException("Cannot write " + key + "=" + text + " as one plain line");
        }
        if (entries.putIfAbsent(key, text) != null) {
            throw new IllegalStateException("Written twice: " + key);
        }
    }

    void putRecord(FixtureRecord record) {
        put(record.manifestKey(), record.manifestValue());
    }

    String get(String key) {
        String value = entries.get(key);
        if (value == null) {
            throw new IllegalStateException("The manifest has no " + key);
        }
        return value;
    }

    long getLong(String key) {
        return Long.parseLong(get(key));
    }

    /** Every entry whose key starts with {@code prefix}, with the prefix taken off, in key order. */
    NavigableMap<String, String> withPrefix(String prefix) {
        NavigableMap<String, String> found = new TreeMap<>();
        for (Map.Entry<String, String> entry : entries.tailMap(prefix, true).entrySet()) {
            if (!entry.getKey().startsWith(prefix)) {
                break;
            }
            found.put(entry.getKey().substring(prefix.length()), entry.getValue());
        }
        return found;
    }

    /** The records, in topic, partition and offset order. */
    List<FixtureRecord> records() {
        List<FixtureRecord> records = new ArrayList<>();
        entries.forEach((key, value) -> {
            if (FixtureRecord.isRecordKey(key)) {
                records.add(FixtureRecord.parse(key, value));
            }
        });
        return records;
    }

    void write(Path file, String comment) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line : comment.split("\n")) {
            text.append("# ").append(line).append('\n');
        }
        entries.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static FixtureManifest read(InputStream input) throws IOException {
        byte[] bytes = input.readNBytes((int) MANIFEST_BYTES_MAX + 1);
        if (bytes.length > MANIFEST_BYTES_MAX) {
            throw new IOException("A manifest is at most " + MANIFEST_BYTES_MAX + " bytes");
        }
        Properties properties = new Properties();
        properties.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        FixtureManifest manifest = new FixtureManifest();
        properties.stringPropertyNames().forEach(key -> manifest.entries.put(key, properties.getProperty(key)));
        return manifest;
    }
}
