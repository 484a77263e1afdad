package io.fjord.raft;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The voters of the quorum (KIP-853): at most one key per node id, each with the endpoints where it listens and the
 * {@code kraft.version} range its software supports (as Kafka's VotersRecord; no endpoints and level 0 only for the
 * static voters of {@code controller.quorum.voters}, whose endpoints come from the configuration). The latest
 * {@link EntryType#VOTERS} entry of a replica's log (committed or not) defines it, else the snapshot's, else the
 * static {@code voterIds} of the configuration. A replica of a dynamic quorum that
 * has not learned its voters yet (formatted without initial controllers) holds the empty set, {@link #UNKNOWN}; a
 * VOTERS entry is never empty.
 *
 * <p>Its encoding is the payload of a VOTERS entry and the first bytes of every snapshot (KIP-853 puts the
 * VotersRecord in snapshots). Version 0 (a set without endpoints, as every Fjord release before dynamic quorums
 * wrote): a version short, a count int, then per voter its id int and directory id (two longs). Version 1 (a set
 * with endpoints, or the empty one): a version short, a count int, the size of the rest in bytes (int), then per
 * voter its id, directory id, an endpoint count short and per endpoint its listener name and host (a length short
 * and UTF-8 bytes) and port (int). Version 2 is version 1 with each voter's supported {@code kraft.version} range
 * (two shorts) after its endpoints. All decode (a version-0 voter supports level 0 only, as Kafka's static voters; a
 * version-1 one levels 0 to 1, what every Fjord that wrote version 1 supported); a set is written in version 0 when
 * it has no endpoints, is not empty and supports level 0 only, so logs of a static quorum stay byte for byte what
 * they were, and in version 2 otherwise.
 *
 * <p>Immutable; thread-safe.
 */
public final class VoterSet {
    /** The most voters a set may hold (a bound on what a decoded record may allocate). */
    public static final int MAX_VOTERS = 1024;
    /** The most endpoints one voter may have. */
    public static final int MAX_ENDPOINTS = 16;
    /** The largest encoding of a set (a bound on the bytes read from the start of a snapshot). */
    public static final int MAX_ENCODED_BYTES = 1024 * 1024;
    /** The empty set: the voters are not known yet (a replica of a dynamic quorum before it fetched them). */
    public static final VoterSet UNKNOWN = new VoterSet(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    private static final short VERSION_0 = 0;
    private static final short VERSION_1 = 1;
    private static final short VERSION_2 = 2;
    private static final int RANGE_BYTES = 2 + 2;
    private static final int HEADER_BYTES_V0 = 2 + 4;
    private static final int HEADER_BYTES_V1 = 2 + 4 + 4;
    private static final int VOTER_BYTES_V0 = 4 + 16;

    private final Map<Integer, ReplicaKey> voters;
    private final Map<Integer, List<VoterEndpoint>> endpoints;
    private final Map<Integer, KraftVersionRange> kraftVersions;

    private VoterSet(Map<Integer, ReplicaKey> voters, Map<Integer, List<VoterEndpoint>> endpoints,
            Map<Integer, KraftVersionRange> kraftVersions) {
        if (voters.size() > MAX_VOTERS) {
            throw new IllegalArgumentException("a voter set holds at most " + MAX_VOTERS + " voters: "
                    + voters.size());
        }
        for (List<VoterEndpoint> list : endpoints.values()) {
            if (list.size() > MAX_ENDPOINTS) {
                throw new IllegalArgumentException("a voter has at most " + MAX_ENDPOINTS + " endpoints: " + list);
            }
        }
        this.voters = voters;
        this.endpoints = endpoints;
        this.kraftVersions = kraftVersions;
    }

    /**
     * A voter: its key, its endpoints (empty when they come from the configuration) and the {@code kraft.version}
     * levels its software supports.
     */
    public record Voter(ReplicaKey key, List<VoterEndpoint> endpoints, KraftVersionRange supportedKraftVersions) {
        public Voter {
            endpoints = List.copyOf(endpoints);
            java.util.Objects.requireNonNull(supportedKraftVersions, "supportedKraftVersions");
        }

        /** A voter supporting level 0 only (Kafka's static voters). */
        public Voter(ReplicaKey key, List<VoterEndpoint> endpoints) {
            this(key, endpoints, KraftVersionRange.STATIC);
        }
    }

    /** A set of voters without endpoints; at least one. */
    public static VoterSet of(Collection<ReplicaKey> keys) {
        return ofVoters(keys.stream().map(key -> new Voter(key, List.of())).toList());
    }

    /** A set of voters with their endpoints; at least one. */
    public static VoterSet ofVoters(Collection<Voter> voters) {
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a voter set holds at least one voter");
        }
        Map<Integer, ReplicaKey> keys = new TreeMap<>();
        Map<Integer, List<VoterEndpoint>> endpoints = new TreeMap<>();
        Map<Integer, KraftVersionRange> kraftVersions = new TreeMap<>();
        for (Voter voter : voters) {
            if (keys.put(voter.key().id(), voter.key()) != null) {
                throw new IllegalArgumentException("two keys for voter " + voter.key().id());
            }
            endpoints.put(voter.key().id(), voter.endpoints());
            kraftVersions.put(voter.key().id(), voter.supportedKraftVersions());
        }
        VoterSet set = new VoterSet(keys, endpoints, kraftVersions);
        if (set.encodedSize() > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("a voter set encodes to at most " + MAX_ENCODED_BYTES + " bytes");
        }
        return set;
    }

    /** The static voters of a configuration: ids without directory ids; an empty set is {@link #UNKNOWN}. */
    public static VoterSet ofIds(Set<Integer> ids) {
        return ids.isEmpty() ? UNKNOWN : of(ids.stream().map(ReplicaKey::of).toList());
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

    /** Whether no voter is known ({@link #UNKNOWN}). */
    public boolean isEmpty() {
        return voters.isEmpty();
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

    /** The endpoints of voter {@code id}; empty if it has none recorded or is not a voter. */
    public List<VoterEndpoint> endpoints(int id) {
        return endpoints.getOrDefault(id, List.of());
    }

    /** The {@code kraft.version} levels voter {@code id} supports ({@link KraftVersionRange#STATIC} if not a voter). */
    public KraftVersionRange supportedKraftVersions(int id) {
        return kraftVersions.getOrDefault(id, KraftVersionRange.STATIC);
    }

    /** Whether every voter supports {@code kraft.version} {@code level}. */
    public boolean supportsKraftVersion(short level) {
        return voters.keySet().stream().allMatch(id -> supportedKraftVersions(id).contains(level));
    }

    /** This set plus {@code key} without endpoints; its id must be new. */
    public VoterSet adding(ReplicaKey key) {
        return adding(key, List.of());
    }

    /** This set plus {@code key} listening on {@code voterEndpoints}; its id must be new. */
    public VoterSet adding(ReplicaKey key, List<VoterEndpoint> voterEndpoints) {
        return adding(new Voter(key, voterEndpoints));
    }

    /** This set plus {@code voter}; its id must be new. */
    public VoterSet adding(Voter voter) {
        if (voters.containsKey(voter.key().id())) {
            throw new IllegalArgumentException("voter " + voter.key().id() + " is already in the set");
        }
        List<Voter> list = new java.util.ArrayList<>(voters());
        list.add(voter);
        return ofVoters(list);
    }

    /**
     * This set with voter {@code key.id()}'s key and endpoints replaced (UpdateRaftVoter); the id must be in the
     * set.
     */
    public VoterSet updating(ReplicaKey key, List<VoterEndpoint> voterEndpoints) {
        return updating(new Voter(key, voterEndpoints, supportedKraftVersions(key.id())));
    }

    /** This set with voter {@code updated.key().id()} replaced (UpdateRaftVoter); the id must be in the set. */
    public VoterSet updating(Voter updated) {
        int id = updated.key().id();
        if (!voters.containsKey(id)) {
            throw new IllegalArgumentException("voter " + id + " is not in the set");
        }
        return ofVoters(voters().stream().map(voter -> voter.key().id() == id ? updated : voter).toList());
    }

    /**
     * Whether the voters carry directory ids: a set of KIP-853's dynamic quorum ({@code kraft.version} 1: written by
     * the bootstrap checkpoint, AddRaftVoter or the upgrade, which all require them), not the ids-only set of
     * {@code controller.quorum.voters} ({@code kraft.version} 0).
     */
    public boolean hasDirectoryIds() {
        return voters.values().stream().anyMatch(key -> !key.directoryId().equals(ReplicaKey.NO_DIRECTORY));
    }

    /** This set without voter {@code id}, which must be in it and not the last one. */
    public VoterSet removing(int id) {
        if (!voters.containsKey(id)) {
            throw new IllegalArgumentException("voter " + id + " is not in the set");
        }
        return ofVoters(voters().stream().filter(voter -> voter.key().id() != id).toList());
    }

    /** The voters with their endpoints, by id. */
    public List<Voter> voters() {
        return voters.values().stream().map(key -> new Voter(key, endpoints(key.id()),
                supportedKraftVersions(key.id()))).toList();
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

    private boolean hasEndpoints() {
        return endpoints.values().stream().anyMatch(list -> !list.isEmpty());
    }

    /** Whether the set is written in version 0: a static quorum's (no endpoints, level 0 only). */
    private boolean isVersion0() {
        return !voters.isEmpty() && !hasEndpoints()
                && kraftVersions.values().stream().allMatch(KraftVersionRange.STATIC::equals);
    }

    private int encodedSize() {
        if (isVersion0()) {
            return HEADER_BYTES_V0 + voters.size() * VOTER_BYTES_V0;
        }
        int size = HEADER_BYTES_V1 + voters.size() * (VOTER_BYTES_V0 + 2 + RANGE_BYTES);
        for (List<VoterEndpoint> list : endpoints.values()) {
            for (VoterEndpoint endpoint : list) {
                size += 2 + utf8(endpoint.listenerName()).length + 2 + utf8(endpoint.host()).length + 4;
            }
        }
        return size;
    }

    public byte[] encode() {
        int size = encodedSize();
        ByteBuffer buffer = ByteBuffer.allocate(size);
        boolean version0 = isVersion0();
        buffer.putShort(version0 ? VERSION_0 : VERSION_2).putInt(voters.size());
        if (!version0) {
            buffer.putInt(size - HEADER_BYTES_V1);
        }
        for (ReplicaKey key : voters.values()) {
            buffer.putInt(key.id()).putLong(key.directoryId().getMostSignificantBits())
                    .putLong(key.directoryId().getLeastSignificantBits());
            if (!version0) {
                List<VoterEndpoint> list = endpoints(key.id());
                buffer.putShort((short) list.size());
                for (VoterEndpoint endpoint : list) {
                    putText(buffer, endpoint.listenerName());
                    putText(buffer, endpoint.host());
                    buffer.putInt(endpoint.port());
                }
                KraftVersionRange range = supportedKraftVersions(key.id());
                buffer.putShort(range.min()).putShort(range.max());
            }
        }
        return buffer.array();
    }

    /** The size of the version-0 encoding of a set of {@code count} voters without endpoints. */
    public static int encodedSizeBytes(int count) {
        return HEADER_BYTES_V0 + count * VOTER_BYTES_V0;
    }

    /**
     * The size of the encoding that starts {@code prefix} (at least {@link #headerSizeBytes()} bytes of it, or all
     * of a shorter encoding), or -1 if those bytes cannot start one.
     */
    public static int encodedSizeBytes(byte[] prefix) {
        if (prefix.length < HEADER_BYTES_V0) {
            return -1;
        }
        ByteBuffer buffer = ByteBuffer.wrap(prefix);
        short version = buffer.getShort();
        int count = buffer.getInt();
        if (version == VERSION_0) {
            return count < 1 || count > MAX_VOTERS ? -1 : encodedSizeBytes(count);
        }
        if ((version != VERSION_1 && version != VERSION_2) || count < 0 || count > MAX_VOTERS
                || buffer.remaining() < 4) {
            return -1;
        }
        int rest = buffer.getInt();
        return rest < 0 || rest > MAX_ENCODED_BYTES - HEADER_BYTES_V1 ? -1 : HEADER_BYTES_V1 + rest;
    }

    /** How many bytes {@link #encodedSizeBytes(byte[])} needs to tell the size. */
    public static int headerSizeBytes() {
        return HEADER_BYTES_V1;
    }

    /** Decodes a set (possibly {@link #UNKNOWN}) from the start of {@code bytes}; empty if they hold no valid one. */
    public static Optional<VoterSet> decode(byte[] bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            short version = buffer.getShort();
            if (version != VERSION_0 && version != VERSION_1 && version != VERSION_2) {
                return Optional.empty();
            }
            int count = buffer.getInt();
            if (count < (version == VERSION_0 ? 1 : 0) || count > MAX_VOTERS) {
                return Optional.empty();
            }
            if (version != VERSION_0) {
                int rest = buffer.getInt();
                if (rest < 0 || rest > buffer.remaining() || rest > MAX_ENCODED_BYTES) {
                    return Optional.empty();
                }
                buffer.limit(buffer.position() + rest);
            }
            if (buffer.remaining() < count * VOTER_BYTES_V0) {
                return Optional.empty();
            }
            Map<Integer, ReplicaKey> keys = new TreeMap<>();
            Map<Integer, List<VoterEndpoint>> endpoints = new TreeMap<>();
            Map<Integer, KraftVersionRange> kraftVersions = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                int id = buffer.getInt();
                UUID directory = new UUID(buffer.getLong(), buffer.getLong());
                if (id < 0 || keys.put(id, new ReplicaKey(id, directory)) != null) {
                    return Optional.empty();
                }
                if (version != VERSION_0) {
                    int endpointCount = buffer.getShort();
                    if (endpointCount < 0 || endpointCount > MAX_ENDPOINTS) {
                        return Optional.empty();
                    }
                    List<VoterEndpoint> list = new java.util.ArrayList<>(endpointCount);
                    for (int e = 0; e < endpointCount; e++) {
                        String name = getText(buffer);
                        String host = getText(buffer);
                        int port = buffer.getInt();
                        if (name == null || host == null || name.isEmpty() || host.isEmpty() || port < 0
                                || port > 65535) {
                            return Optional.empty();
                        }
                        list.add(new VoterEndpoint(name, host, port));
                    }
                    endpoints.put(id, List.copyOf(list));
                } else {
                    endpoints.put(id, List.of());
                }
                kraftVersions.put(id, switch (version) {
                    case VERSION_0 -> KraftVersionRange.STATIC;
                    case VERSION_1 -> KraftVersionRange.SUPPORTED;
                    default -> new KraftVersionRange(buffer.getShort(), buffer.getShort());
                });
            }
            if (version != VERSION_0 && buffer.hasRemaining()) {
                return Optional.empty();
            }
            return Optional.of(count == 0 ? UNKNOWN : new VoterSet(keys, endpoints, kraftVersions));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void putText(ByteBuffer buffer, String text) {
        byte[] bytes = utf8(text);
        buffer.putShort((short) bytes.length).put(bytes);
    }

    /** A length-prefixed UTF-8 string, or null if its length is out of bounds. */
    private static String getText(ByteBuffer buffer) {
        int length = buffer.getShort();
        if (length < 0 || length > VoterEndpoint.TEXT_BYTES_MAX || length > buffer.remaining()) {
            return null;
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public List<Integer> idsList() {
        return List.copyOf(voters.keySet());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VoterSet that && voters.equals(that.voters) && endpoints.equals(that.endpoints)
                && kraftVersions.equals(that.kraftVersions);
    }

    @Override
    public int hashCode() {
        return (voters.hashCode() * 31 + endpoints.hashCode()) * 31 + kraftVersions.hashCode();
    }

    @Override
    public String toString() {
        return "VoterSet" + voters.keySet();
    }
}
