package io.fjord.raft;

/** The role of a replica in its current epoch (KIP-595's states and KIP-996's prospective state). */
public enum Role {
    /** Knows an epoch but no leader for it; may have voted in it. Observers without a leader are here too. */
    UNATTACHED,
    /** Asks the voters for pre-votes (KIP-996) without changing its epoch. */
    PROSPECTIVE,
    /** Has bumped the epoch, voted for itself and asks for votes. */
    CANDIDATE,
    /** Leads the epoch: takes proposals, serves fetches, computes the high watermark. */
    LEADER,
    /** Fetches from the epoch's leader (voters and observers). */
    FOLLOWER,
    /** Led the epoch and gave it up (lost contact with a majority); waits for a new election. */
    RESIGNED
}
