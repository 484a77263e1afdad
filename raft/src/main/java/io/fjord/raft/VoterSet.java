package io.fjord.raft;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The voters of the quorum (KIP-853): at most one key per node id. The latest {@link EntryType#VOTERS} entry of a
 * replica's log (committed or not) defines it, else the snapshot's, else the static {@code voterIds} of the
 * configuration. Its encoding is the payload of a VOTERS entry and the first bytes of every snapshot (KIP-853 puts
 * the VotersRecord in snapshots): a version short, a count int, then per voter its id int and directory id (two
 * longs).
 *
 * <p>Immutable; thread-safe.
 */
public final class VoterSet {
    /** The most voters a set may hold (a bound on what a decoded record may allocate). */
    public static final int MAX_VOTERS = 1024;
    private static final short VERSION = 0;
    private static final int HEADER_BYTES = 2 + 4;
    private static final int VOTER_BYTES = 4 + 16;

    private final Map<Integer, ReplicaKey> voters;

    private VoterSet(Map<Integer, ReplicaKey> voters) {
        if (voters.isEmpty() || voters.size() > MAX_VOTERS) {
            throw new IllegalArgumentException("a voter set holds 1 to " + MAX_VOTERS + " voters: " + voters.size());
        }
        this.voters = voters;
    }

    public static VoterSet of(Collection<ReplicaKey> keys) {
        Map<Integer, ReplicaKey> map = new TreeMap<>();
        for (ReplicaKey key : keys) {
            if (map.put(key.id(), key) != null) {
                throw new IllegalArgumentException("two keys for voter " + key.id());
            }
        }
        return new VoterSet(map);
    }

    /** The static voters of a configuration: ids without directory ids. */
    public static VoterSet ofIds(Set<Integer> ids) {
        return of(ids.stream().map(ReplicaKey::of).toList());
    }

    public Set<Integer> ids() {
        return voters.keySet();
    }

    public Collection<ReplicaKey> keys() {
        return voters.values();
    }

    public int size() {
        return voters.size();
    }

    public int majority() {
        return voters.size() / 2 + 1;
    }

    public boolean containsId(int id) {
        return voters.containsKey(id);
    }

    /** Whether {@code replica} is one of the voters (by {@link ReplicaKey#matches}). */
    public boolean isVoter(ReplicaKey replica) {
        ReplicaKey voter = voters.get(replica.id());
        return voter != null && voter.matches(replica);
    }

    public Optional<ReplicaKey> key(int id) {
        return Optional.ofNullable(voters.get(id));
    }

    /** This set plus {@code key}, whose id must be new. */
    public VoterSet adding(ReplicaKey key) {
        Map<Integer, ReplicaKey> map = new TreeMap<>(voters);
        if (map.put(key.id(), key) != null) {
            throw new IllegalArgumentException("voter " + key.id() + " is already in the set");
        }
        return new VoterSet(map);
    }

    /** This set without voter {@code id}, which must be in it and not the last one. */
    public VoterSet removing(int id) {
        Map<Integer, ReplicaKey> map = new TreeMap<>(voters);
        if (map.remove(id) == null) {
            throw new IllegalArgumentException("voter " + id + " is not in the set");
        }
        return new VoterSet(map);
    }

    /** How many voters differ between this set and {@code other} (added plus removed or changed). */
    public int distanceTo(VoterSet other) {
        int distance = 0;
        for (ReplicaKey key : voters.values()) {
            if (!key.equals(other.voters.get(key.id()))) {
                distance++;
            }
        }
        for (int id : other.voters.keySet()) {
            if (!voters.containsKey(id)) {
                distance++;
            }
        }
        return distance;
    }

    public byte[] encode() {
        ByteBuffer buffer = ByteBuffer.allocate(encodedSizeBytes(voters.size()));
        buffer.putShort(VERSION).putInt(voters.size());
        for (ReplicaKey key : voters.values()) {
            buffer.putInt(key.id()).putLong(key.directoryId().getMostSignificantBits())
                    .putLong(key.directoryId().getLeastSignificantBits());
        }
        return buffer.array();
    }

    /** The size of the encoding of a set of {@code count} voters. */
    public static int encodedSizeBytes(int count) {
        return HEADER_BYTES + count * VOTER_BYTES;
    }

    /**
     * The size of the encoding that starts {@code prefix} (at least {@link #headerSizeBytes()} bytes of it), or -1
     * if those bytes cannot start one.
     */
    public static int encodedSizeBytes(byte[] prefix) {
        if (prefix.length < HEADER_BYTES) {
            return -1;
        }
        ByteBuffer buffer = ByteBuffer.wrap(prefix);
        short version = buffer.getShort();
        int count = buffer.getInt();
        return version != VERSION || count < 1 || count > MAX_VOTERS ? -1 : encodedSizeBytes(count);
    }

    /** How many bytes {@link #encodedSizeBytes(byte[])} needs to tell the size. */
    public static int headerSizeBytes() {
        return HEADER_BYTES;
    }

    /** Decodes a set from the start of {@code bytes}; empty if they do not hold a valid one. */
    public static Optional<VoterSet> decode(byte[] bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            if (buffer.getShort() != VERSION) {
                return Optional.empty();
            }
            int count = buffer.getInt();
            if (count < 1 || count > MAX_VOTERS || buffer.remaining() < count * VOTER_BYTES) {
                return Optional.empty();
            }
            Map<Integer, ReplicaKey> map = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                int id = buffer.getInt();
                UUID directory = new UUID(buffer.getLong(), buffer.getLong());
                if (id < 0 || map.put(id, new ReplicaKey(id, directory)) != null) {
                    return Optional.empty();
                }
            }
            return Optional.of(new VoterSet(map));
        } catch (BufferUnderflowException e) {
            return Optional.empty();
        }
    }

    public List<Integer> idsList() {
        return List.copyOf(voters.keySet());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VoterSet that && voters.equals(that.voters);
    }

    @Override
    public int hashCode() {
        return voters.hashCode();
    }

    @Override
    public String toString() {
        return "VoterSet" + voters.keySet();
    }
}
