package io.fjord.broker.coordinator.group.internal;

import java.util.List;

/**
 * One member of a classic group: identity, timeouts, the protocols it supports with their metadata (in preference
 * order), the assignment the leader gave it, and the JoinGroup or SyncGroup request it is waiting on, if any.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class ClassicGroupMember {
    static final byte[] EMPTY_BYTES = new byte[0];

    private String memberId;
    private final String groupInstanceId;
    private String clientId;
    private String clientHost;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private String protocolType;
    private List<Protocol> protocols;
    private byte[] assignment = EMPTY_BYTES;
    private PendingRequest awaitingJoin;
    private PendingRequest awaitingSync;
    private boolean isNew;

    /** A protocol (assignor) name and the member's metadata for it. */
    public record Protocol(String name, byte[] metadata) {
    }

    /** A request waiting for its response, and the version to answer it in. */
    public record PendingRequest(long requestId, short apiVersion) {
    }

    public ClassicGroupMember(String memberId, String groupInstanceId, String clientId, String clientHost,
            int rebalanceTimeoutMs, int sessionTimeoutMs, String protocolType, List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = List.copyOf(protocols);
    }

    public String memberId() {
        return memberId;
    }

    void setMemberId(String memberId) {
        this.memberId = memberId;
    }

    public String groupInstanceId() {
        return groupInstanceId;
    }

    public boolean isStatic() {
        return groupInstanceId != null;
    }

    public String clientId() {
        return clientId;
    }

    public String clientHost() {
        return clientHost;
    }

    void setClient(String clientId, String clientHost) {
        this.clientId = clientId;
        this.clientHost = clientHost;
    }

    public int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public String protocolType() {
        return protocolType;
    }

    public List<Protocol> protocols() {
        return protocols;
    }

    void update(List<Protocol> newProtocols, int newRebalanceTimeoutMs, int newSessionTimeoutMs) {
        this.protocols = List.copyOf(newProtocols);
        this.rebalanceTimeoutMs = newRebalanceTimeoutMs;
        this.sessionTimeoutMs = newSessionTimeoutMs;
    }

    /** The member's metadata for {@code protocolName}, or null when it does not support it. */
    public byte[] metadata(String protocolName) {
        for (Protocol protocol : protocols) {
            if (protocol.name().equals(protocolName)) {
                return protocol.metadata();
            }
        }
        return null;
    }

    public boolean supports(String protocolName) {
        return metadata(protocolName) != null;
    }

    /** Whether the member would join with exactly these protocols and metadata (same order). */
    public boolean matches(List<Protocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            if (!other.get(i).name().equals(protocols.get(i).name())
                    || !java.util.Arrays.equals(other.get(i).metadata(), protocols.get(i).metadata())) {
                return false;
            }
        }
        return true;
    }

    /** The member's most preferred protocol among {@code candidates}. */
    public String vote(java.util.Set<String> candidates) {
        for (Protocol protocol : protocols) {
            if (candidates.contains(protocol.name())) {
                return protocol.name();
            }
        }
        throw new IllegalStateException("member " + memberId + " supports none of " + candidates);
    }

    public byte[] assignment() {
        return assignment;
    }

    void setAssignment(byte[] assignment) {
        this.assignment = assignment == null ? EMPTY_BYTES : assignment;
    }

    public PendingRequest awaitingJoin() {
        return awaitingJoin;
    }

    public boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    void setAwaitingJoin(PendingRequest request) {
        this.awaitingJoin = request;
    }

    public PendingRequest awaitingSync() {
        return awaitingSync;
    }

    public boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    void setAwaitingSync(PendingRequest request) {
        this.awaitingSync = request;
    }

    public boolean isNew() {
        return isNew;
    }

    void setNew(boolean isNew) {
        this.isNew = isNew;
    }

    /**
     * Whether a missed heartbeat deadline is forgiven: members waiting in a rebalance are not expected to
     * heartbeat, except new members, whose JoinGroup times out instead.
     */
    boolean hasSatisfiedHeartbeat() {
        if (isNew) {
            return false;
        }
        return isAwaitingJoin() || isAwaitingSync();
    }
}
