package io.fjord.raft;

/** What a log entry holds. */
public enum EntryType {
    /** The first entry of every epoch, appended by its leader (Kafka's LeaderChangeMessage control record). */
    LEADER_CHANGE,
    /** A proposal of the state machine. */
    DATA,
    /**
     * A new voter set, {@link VoterSet#encode()} (Kafka's VotersRecord control record, KIP-853): it takes effect on
     * a replica as soon as it is in its log, committed or not.
     */
    VOTERS
}
