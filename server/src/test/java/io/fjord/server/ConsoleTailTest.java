package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What is kept of a child's console: its last lines, each bounded in length. */
class ConsoleTailTest {
    private static ConsoleTail read(String console, int linesMax, int lineLengthMax) {
        ConsoleTail tail = new ConsoleTail(new ByteArrayInputStream(console.getBytes(StandardCharsets.UTF_8)),
                linesMax, lineLengthMax);
        tail.run();
        return tail;
    }

    @Test
    void keepsOnlyTheLastLinesOldestFirst() {
        StringBuilder console = new StringBuilder();
        for (int line = 1; line <= 1000; line++) {
            console.append("line ").append(line).append("\r\n");
        }
        console.append("fjord: cannot start: no newline at the end");
        assertThat(read(console.toString(), 3, 100).lastLines())
                .containsExactly("line 999", "line 1000", "fjord: cannot start: no newline at the end");
    }

    @Test
    void aLongLineIsCutAndSaysSo() {
        String longLine = "x".repeat(100_000);
        assertThat(read(longLine + "\nshort\n", 5, 10).lastLines()).containsExactly("xxxxxxxxxx ...", "short");
    }

    @Test
    void nothingPrintedIsNoLines() {
        assertThat(read("", 5, 10).lastLines()).isEmpty();
    }
}
