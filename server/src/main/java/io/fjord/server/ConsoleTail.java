package io.fjord.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Drains a child process's console (standard output and error together) and keeps only its last lines, so that a
 * node that fails to start can be explained with what it printed ("fjord: cannot start: ...", which goes to the
 * console only) without the console growing a file next to {@code server.log}, which has the rest. Bounded: at most
 * {@code linesMax} lines of at most {@code lineLengthMax} characters each.
 *
 * <p>Thread-safe: {@link #run} (one reader thread) appends, any thread reads {@link #lastLines}.
 */
final class ConsoleTail implements Runnable {
    private final InputStream console;
    private final int linesMax;
    private final int lineLengthMax;
    private final Deque<String> lines = new ArrayDeque<>();

    ConsoleTail(InputStream console, int linesMax, int lineLengthMax) {
        this.console = console;
        this.linesMax = linesMax;
        this.lineLengthMax = lineLengthMax;
    }

    /** Reads until the stream ends (the process exited) or fails. */
    @Override
    public void run() {
        StringBuilder line = new StringBuilder();
        boolean truncated = false;
        try (Reader reader = new InputStreamReader(console, StandardCharsets.UTF_8)) {
            char[] buffer = new char[8192];
            int read;
            while ((read = reader.read(buffer)) >= 0) {
                for (int index = 0; index < read; index++) {
                    char character = buffer[index];
                    if (character == '\n') {
                        add(line, truncated);
                        line.setLength(0);
                        truncated = false;
                    } else if (character != '\r' && line.length() < lineLengthMax) {
                        line.append(character);
                    } else if (character != '\r') {
                        truncated = true;
                    }
                }
            }
        } catch (IOException e) {
            // The process is gone and its pipe with it: what was read is all there is.
        }
        if (!line.isEmpty()) {
            add(line, truncated);
        }
    }

    private synchronized void add(StringBuilder line, boolean truncated) {
        if (lines.size() == linesMax) {
            lines.removeFirst();
        }
        lines.addLast(truncated ? line + " ..." : line.toString());
    }

    /** The last lines read, oldest first. */
    synchronized List<String> lastLines() {
        return List.copyOf(lines);
    }
}
