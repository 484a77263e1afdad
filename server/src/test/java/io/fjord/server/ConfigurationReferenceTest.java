package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.config.BrokerConfigs;
import io.fjord.broker.config.ConfigDefinition;
import io.fjord.broker.config.TopicConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed docs/configuration.md is what the definitions generate: it cannot drift from the code. */
class ConfigurationReferenceTest {
    /** Surefire runs in the module directory; the docs are at the repository root. */
    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");

    @Test
    void theCommittedReferenceIsWhatTheDefinitionsGenerate() throws Exception {
        String generated = ConfigurationReference.markdown();
        if (Boolean.getBoolean("configuration.reference.write")) {
            Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
        }
        assertThat(REFERENCE).as("docs/configuration.md is stale: run this test with "
                + "-Dconfiguration.reference.write=true and commit the file").exists();
        assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
                .as("docs/configuration.md is stale: run this test with -Dconfiguration.reference.write=true and "
                        + "commit the file")
                .isEqualTo(generated);
    }

    @Test
    void everyBrokerAndTopicConfigurationHasARow() {
        String generated = ConfigurationReference.markdown();
        for (ConfigDefinition definition : BrokerConfigs.all()) {
            assertThat(generated).contains("| " + definition.name() + " |");
        }
        for (ConfigDefinition definition : TopicConfigs.all()) {
            assertThat(generated).contains("| " + definition.name() + " |");
        }
        assertThat(generated).contains("| num.partitions | int | `1` |", "- `listeners=PLAINTEXT://localhost:9092`",
                "- `log.dirs=data (relative to the current directory)`");
    }
}
