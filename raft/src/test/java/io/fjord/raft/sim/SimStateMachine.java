package io.fjord.raft.sim;

import io.fjord.raft.LogEntry;
import io.fjord.raft.VoterSet;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Random;

/**
 * One simulated node's state machine: it applies committed entries in order and its state is a hash chain of what
 * it applied ({@link InvariantChecker#chain}), so two state machines that applied the same committed prefix have
 * the same state. Its snapshot is the voter set (first, as the core requires), the applied offset and the chain,
 * then filler bytes (so that fetching a snapshot takes several chunks).
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class SimStateMachine {
    long appliedOffset;
    long chain = InvariantChecker.START_CHAIN;

    void apply(LogEntry entry) {
        if (entry.offset() != appliedOffset) {
            throw new AssertionError("applying offset " + entry.offset() + " after " + appliedOffset);
        }
        chain = InvariantChecker.chain(chain, entry);
        appliedOffset++;
    }

    /** Starts over from a snapshot (or from nothing, if {@code snapshot} is null). */
    void load(byte[] snapshot) {
        if (snapshot == null) {
            appliedOffset = 0;
            chain = InvariantChecker.START_CHAIN;
            return;
        }
        ByteBuffer state = stateOf(snapshot);
        appliedOffset = state.getLong();
        chain = state.getLong();
    }

    byte[] snapshot(VoterSet voters, Random random) {
        byte[] header = voters.encode();
        int fillerBytes = random.nextInt(3000);
        ByteBuffer buffer = ByteBuffer.allocate(header.length + 16 + fillerBytes);
        buffer.put(header).putLong(appliedOffset).putLong(chain);
        for (int i = 0; i < fillerBytes; i++) {
            buffer.put((byte) random.nextInt(256));
        }
        return buffer.array();
    }

    /** The applied offset and chain a snapshot holds. */
    static long[] offsetAndChainOf(byte[] snapshot) {
        ByteBuffer state = stateOf(snapshot);
        return new long[] {state.getLong(), state.getLong()};
    }

    private static ByteBuffer stateOf(byte[] snapshot) {
        Optional<VoterSet> voters = VoterSet.decode(snapshot);
        if (voters.isEmpty()) {
            throw new AssertionError("snapshot without a voter set");
        }
        return ByteBuffer.wrap(snapshot, voters.get().encode().length, 16);
    }
}
