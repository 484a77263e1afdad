package io.fjord.broker.fetch;

/** The session id and epoch values of KIP-227. */
public final class FetchSessionEpochs {
    /** The session id of a request or response without a session. */
    public static final int INVALID_SESSION_ID = 0;
    /** The epoch of a full request that creates a new session. */
    public static final int INITIAL_EPOCH = 0;
    /** The epoch of a full request that closes its session (or wants none). */
    public static final int FINAL_EPOCH = -1;

    private FetchSessionEpochs() {}

    /** The epoch after {@code epoch}: the next request of the session must carry it. Wraps to 1 after the maximum. */
    public static int nextEpoch(int epoch) {
        if (epoch < 0) {
            return FINAL_EPOCH;
        }
        return epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
    }
}
