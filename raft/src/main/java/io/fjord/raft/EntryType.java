package io.fjord.raft;

/** What a log entry holds. */
public enum EntryType {
    /** The first entry of every epoch, appended by its leader (Kafka's LeaderChangeMessage control record). */
    LEADER_CHANGE,
    /** A proposal of the state machine. */
    DATA
}
