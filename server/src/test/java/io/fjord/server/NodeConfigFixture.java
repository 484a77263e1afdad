package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.config.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Node configurations for the tests of what a node accepts and refuses: settings given as key-value pairs over a
 * test's base settings, and the message a refused one gives. Stateless; thread-safe.
 */
final class NodeConfigFixture {
    private NodeConfigFixture() {
    }

    /**
     * A node's configuration from {@code base}, then {@code keysAndValues} (key, value, key, value, ...), with a log
     * directory that is never created.
     */
    static NodeConfig config(Map<String, String> base, String... keysAndValues) {
        Map<String, String> properties = new HashMap<>();
        properties.put("log.dirs", "/tmp/fjord-unused");
        properties.putAll(base);
        for (int index = 0; index < keysAndValues.length; index += 2) {
            properties.put(keysAndValues[index], keysAndValues[index + 1]);
        }
        return NodeConfig.fromProperties(properties);
    }

    /** The one-line message refusing these settings; fails the test when they are accepted. */
    static String refusal(Map<String, String> base, String... keysAndValues) {
        try {
            config(base, keysAndValues);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("accepted " + List.of(keysAndValues));
    }
}
