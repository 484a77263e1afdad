package io.fjord.raft;

/**
 * The state a replica must keep across restarts (Kafka's quorum-state file): its epoch and whom it voted for in
 * that epoch ({@link #NO_VOTE} if nobody). Written before any message that depends on it leaves the node.
 */
public record DurableState(int epoch, int votedId) {
    public static final int NO_VOTE = -1;
    public static final DurableState INITIAL = new DurableState(0, NO_VOTE);

    public DurableState {
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch " + epoch);
        }
    }
}
