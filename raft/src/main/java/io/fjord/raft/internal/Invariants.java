package io.fjord.raft.internal;

/**
 * Always-on checks of the core's own invariants (Java's {@code assert} is off by default). A failed check means a
 * bug, never bad input: it throws {@link IllegalStateException}.
 *
 * <p>Stateless; thread-safe.
 */
public final class Invariants {
    private Invariants() {
    }

    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("Raft invariant violated: " + message);
        }
    }

    public static void check(boolean condition, String format, Object... arguments) {
        if (!condition) {
            throw new IllegalStateException("Raft invariant violated: " + String.format(format, arguments));
        }
    }
}
