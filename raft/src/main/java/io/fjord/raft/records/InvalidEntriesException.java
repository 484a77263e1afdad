package io.fjord.raft.records;

/** Record batches that are not valid Raft log entries (damaged, or not written by a Raft node). Immutable. */
public final class InvalidEntriesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidEntriesException(String message) {
        super(message);
    }
}
