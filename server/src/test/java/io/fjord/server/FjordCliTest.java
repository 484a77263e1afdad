package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FjordCliTest {
    @Test
    void everyCommandPrintsItsOwnHelp() {
        for (String command : List.of("start", "cluster", "format", "random-uuid", "dump-log", "version")) {
            CommandRun run = CommandRun.of(command, "--help");
            assertThat(run.exitCode()).as(command).isZero();
            assertThat(run.out()).as(command).startsWith("Usage: fjord " + command).contains("-h, --help");
            assertThat(run.err()).as(command).isEmpty();
        }
    }

    @Test
    void startHelpSaysWhereDataAndLogsGo() {
        assertThat(CommandRun.of("start", "--help").out()).contains("current directory", "FJORD_LOG_DIR",
                "fjord.log.level");
    }

    @Test
    void noCommandPrintsUsageToStandardErrorAndFails() {
        CommandRun run = CommandRun.of();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("Usage: fjord").contains("start", "cluster", "format", "random-uuid", "dump-log",
                "version");
    }
}
