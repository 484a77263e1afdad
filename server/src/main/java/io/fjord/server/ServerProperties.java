package io.fjord.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a Kafka-style {@code server.properties} into the settings {@link NodeConfig} validates, the same way for
 * every command ({@code start}, {@code format}), so that they agree on the node's directories. Stateless.
 */
final class ServerProperties {
    /** The data directory without {@code log.dirs}: relative to the current directory, as Kafka's own paths are. */
    static final String DEFAULT_DATA_DIRECTORY = "data";

    private ServerProperties() {
    }

    /**
     * The settings of {@code configFile} (none when null), values trimmed, with {@code log.dirs} defaulting to
     * {@value #DEFAULT_DATA_DIRECTORY} under the current directory.
     */
    static Map<String, String> read(Path configFile) throws IOException {
        Map<String, String> values = new HashMap<>();
        if (configFile != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).trim()));
        }
        if (!values.containsKey("log.dirs") && !values.containsKey("log.dir")) {
            values.put("log.dirs", Path.of(DEFAULT_DATA_DIRECTORY).toAbsolutePath().toString());
        }
        return values;
    }
}
