package io.fjord.raft.tool;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link RaftServerMain}'s state machine: the applied data entries as lines {@code "<offset> <epoch> <text>"} and the
 * end of what was applied. Its snapshot is those lines joined by newlines.
 *
 * <p>Thread-safe (synchronized): the driver's thread applies, the command thread saves.
 */
final class TextStateMachine {
    private final List<String> lines = new ArrayList<>();
    private long appliedEnd;

    /** Applies the entry at {@code offset}; {@code line} is null for an entry that is not data. */
    synchronized void apply(long offset, String line) {
        if (line != null) {
            lines.add(line);
        }
        appliedEnd = offset + 1;
    }

    /** Replaces the state by a snapshot ending at {@code endOffset}; returns its lines. */
    synchronized List<String> load(long endOffset, byte[] bytes) {
        lines.clear();
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (!text.isEmpty()) {
            lines.addAll(List.of(text.split("\n")));
        }
        appliedEnd = endOffset;
        return List.copyOf(lines);
    }

    /** The state as a snapshot and the offset it ends at. */
    synchronized Saved save() {
        return new Saved(appliedEnd, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    }

    record Saved(long offset, byte[] bytes) {
    }
}
