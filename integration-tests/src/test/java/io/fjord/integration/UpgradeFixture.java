package io.fjord.integration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The upgrade fixtures: data directories written by Fjord 0.1.0 (commit 5b919e8, one node with its metadata in a
 * local log), kept as zips in {@code src/test/resources/upgrade/} with a {@link FixtureManifest} beside each. One
 * keeps everything in one directory ({@code log.dirs} = the metadata directory), the other spreads the partitions
 * over two {@code log.dirs} (the metadata in the first). Immutable.
 */
enum UpgradeFixture {
    SINGLE_DIRECTORY("single-dir", List.of("data")),
    TWO_DIRECTORIES("two-dirs", List.of("data-a", "data-b"));

    /** The release that wrote the fixtures, in their file names. */
    static final String WRITTEN_BY = "fjord-0.1.0";
    /**
     * Every fixture record carries a fixed timestamp from here on (2100-01-01T00:00:00Z plus its index). A producer's
     * state expires {@code producer.id.expiration.ms} after its last batch's timestamp, and that setting is an int
     * (at most 24.8 days) in Kafka and Fjord alike, so only timestamps ahead of the test's clock keep the fixture's
     * producer state alive however old the fixture is; fixed timestamps also make every record checkable exactly.
     */
    static final long RECORD_TIMESTAMP_BASE_MS = 4_102_444_800_000L;

    private final String name;
    private final List<String> directories;

    UpgradeFixture(String name, List<String> directories) {
        this.name = name;
        this.directories = directories;
    }

    String fileName(String extension) {
        return WRITTEN_BY + "-" + name + "." + extension;
    }

    /** The directories under the fixture's root, the first holding the metadata log and meta.properties. */
    List<String> directories() {
        return directories;
    }

    /**
     * The node configuration the generator used, with the data under {@code root}; ports are ephemeral. The
     * generator accepts timestamps far ahead ({@link #RECORD_TIMESTAMP_BASE_MS}); the rest are defaults.
     */
    Map<String, String> nodeConfig(Path root) {
        Map<String, String> config = new HashMap<>();
        config.put("log.dirs", directories.stream().map(directory -> root.resolve(directory).toString())
                .collect(Collectors.joining(",")));
        config.put("log.message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE));
        return config;
    }

    InputStream openArchive() throws IOException {
        return open(fileName("zip"));
    }

    FixtureManifest readManifest() throws IOException {
        try (InputStream input = open(fileName("properties"))) {
            return FixtureManifest.read(input);
        }
    }

    private static InputStream open(String fileName) throws IOException {
        InputStream input = UpgradeFixture.class.getResourceAsStream("/upgrade/" + fileName);
        if (input == null) {
            throw new IOException("No fixture upgrade/" + fileName + " on the test class path");
        }
        return input;
    }
}
