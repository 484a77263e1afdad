package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.JoinGroupResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * JoinGroup of the classic protocol: new members (a member id is handed out first with MEMBER_ID_REQUIRED from
 * v4), static members (a known instance id takes over the old member id; the old request is fenced), existing
 * members, group.max.size and session-timeout bounds. The response to a member waiting for the rebalance comes in
 * a later call's result.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class JoinGroupHandler {
    private final GroupCoordinatorConfig config;
    private final GroupStore store;
    private final Rebalancer rebalancer;
    private final RandomGenerator random;

    public JoinGroupHandler(GroupCoordinatorConfig config, GroupStore store, Rebalancer rebalancer,
            RandomGenerator random) {
        this.config = config;
        this.store = store;
        this.rebalancer = rebalancer;
        this.random = random;
    }

    public void handle(RequestContext context, JoinGroupRequestData request, Effects effects) {
        String groupId = request.groupId();
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (groupId == null || groupId.isEmpty()) {
            reply(context, Rebalancer.joinError(memberId, Errors.INVALID_GROUP_ID), effects);
            return;
        }
        if (request.sessionTimeoutMs() < config.groupMinSessionTimeoutMs()
                || request.sessionTimeoutMs() > config.groupMaxSessionTimeoutMs()) {
            reply(context, Rebalancer.joinError(memberId, Errors.INVALID_SESSION_TIMEOUT), effects);
            return;
        }
        boolean unknownMember = memberId.isEmpty();
        ClassicGroup group = store.group(groupId);
        if (group == null) {
            if (!unknownMember) {
                reply(context, Rebalancer.joinError(memberId, Errors.UNKNOWN_MEMBER_ID), effects);
                return;
            }
            group = store.createGroup(groupId);
        }
        boolean newGroup = group.persisted() == null;
        if (!acceptJoiningMember(group, memberId)) {
            ClassicGroupMember existing = group.member(memberId);
            group.removePendingMember(memberId);
            if (existing != null) {
                rebalancer.removeMemberAndUpdateGroup(group, existing, effects);
            }
            reply(context, Rebalancer.joinError("", Errors.GROUP_MAX_SIZE_REACHED), effects);
        } else if (unknownMember) {
            joinNewMember(context, request, group, effects);
        } else {
            joinExistingMember(context, request, group, memberId, effects);
        }
        if (newGroup && store.group(groupId) == group && group.persisted() == null) {
            if (group.size() > 0 || group.hasPendingMembers()) {
                // A group created by JoinGroup is recorded at once, as Kafka does, so it survives a change of
                // leader.
                rebalancer.persist(group, java.util.Map.of(), effects);
            } else {
                store.removeIfUnrecorded(groupId);
            }
        }
    }

    private boolean acceptJoiningMember(ClassicGroup group, String memberId) {
        return switch (group.state()) {
            case EMPTY, DEAD -> true;
            // Members already waiting are accepted; new ones only while fewer than the maximum wait.
            case PREPARING_REBALANCE -> (group.hasMember(memberId) && group.member(memberId).isAwaitingJoin())
                    || group.numAwaitingJoin() < config.groupMaxSize();
            case COMPLETING_REBALANCE, STABLE -> group.hasMember(memberId) || group.size() < config.groupMaxSize();
        };
    }

    private void joinNewMember(RequestContext context, JoinGroupRequestData request, ClassicGroup group,
            Effects effects) {
        List<ClassicGroupMember.Protocol> protocols = protocols(request);
        if (group.isInState(ClassicGroupState.DEAD)) {
            reply(context, Rebalancer.joinError("", Errors.COORDINATOR_NOT_AVAILABLE), effects);
            return;
        }
        if (!group.supportsProtocols(request.protocolType(), protocols)) {
            reply(context, Rebalancer.joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL), effects);
            return;
        }
        String instanceId = request.groupInstanceId();
        // Kafka's member ids: a static member's starts with its instance id, a dynamic member's with its client id.
        String newMemberId = newMemberId(instanceId != null ? instanceId : context.clientId());
        if (instanceId != null) {
            String existingMemberId = group.staticMemberId(instanceId);
            if (existingMemberId == null) {
                addMemberThenRebalanceOrCompleteJoin(context, request, group, newMemberId, protocols, effects);
            } else {
                updateStaticMember(context, request, group, group.member(existingMemberId), newMemberId, protocols,
                        effects);
            }
        } else if (context.apiVersion() >= 4) {
            // The client must come back with this id, so a member lost in transit never joins the group.
            group.addPendingMember(newMemberId);
            rebalancer.schedulePendingMemberExpiry(group, newMemberId, request.sessionTimeoutMs(), effects.nowMs());
            reply(context, Rebalancer.joinError(newMemberId, Errors.MEMBER_ID_REQUIRED), effects);
        } else {
            addMemberThenRebalanceOrCompleteJoin(context, request, group, newMemberId, protocols, effects);
        }
    }

    private void joinExistingMember(RequestContext context, JoinGroupRequestData request, ClassicGroup group,
            String memberId, Effects effects) {
        List<ClassicGroupMember.Protocol> protocols = protocols(request);
        if (group.isInState(ClassicGroupState.DEAD)) {
            reply(context, Rebalancer.joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE), effects);
            return;
        }
        if (!group.supportsProtocols(request.protocolType(), protocols)) {
            reply(context, Rebalancer.joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL), effects);
            return;
        }
        if (group.isPendingMember(memberId)) {
            addMemberThenRebalanceOrCompleteJoin(context, request, group, memberId, protocols, effects);
            return;
        }
        Errors error = MemberValidation.validateMember(group, memberId, request.groupInstanceId());
        if (error != Errors.NONE) {
            reply(context, Rebalancer.joinError(memberId, error), effects);
            return;
        }
        ClassicGroupMember member = group.member(memberId);
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberThenRebalanceOrCompleteJoin(context, request, group, member,
                    protocols, effects);
            case COMPLETING_REBALANCE -> {
                if (member.matches(protocols)) {
                    // The member lost its JoinGroup response: give it the current generation again.
                    reply(context, currentGeneration(group, member, group.isLeader(memberId)), effects);
                } else {
                    updateMemberThenRebalanceOrCompleteJoin(context, request, group, member, protocols, effects);
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId) || !member.matches(protocols)) {
                    // The leader rejoining forces a rebalance (it may have seen metadata change).
                    updateMemberThenRebalanceOrCompleteJoin(context, request, group, member, protocols, effects);
                } else {
                    reply(context, currentGeneration(group, member, false), effects);
                }
            }
            default -> reply(context, Rebalancer.joinError(memberId, Errors.UNKNOWN_MEMBER_ID), effects);
        }
    }

    private JoinGroupResponseData currentGeneration(ClassicGroup group, ClassicGroupMember member, boolean leader) {
        return new JoinGroupResponseData()
                .setMemberId(member.memberId())
                .setGenerationId(group.generationId())
                .setProtocolType(group.protocolType())
                .setProtocolName(group.protocolName())
                .setLeader(group.leaderId())
                .setMembers(leader ? rebalancer.memberMetadata(group) : new ArrayList<>());
    }

    private void addMemberThenRebalanceOrCompleteJoin(RequestContext context, JoinGroupRequestData request,
            ClassicGroup group, String memberId, List<ClassicGroupMember.Protocol> protocols, Effects effects) {
        ClassicGroupMember member = new ClassicGroupMember(memberId, request.groupInstanceId(), context.clientId(),
                context.clientHost(), rebalanceTimeoutMs(request), request.sessionTimeoutMs(),
                request.protocolType(), protocols);
        member.setNew(true);
        if (group.isInState(ClassicGroupState.PREPARING_REBALANCE)
                && group.previousState() == ClassicGroupState.EMPTY) {
            // The initial join of a group that was Empty (new, or left by all its members) waits longer.
            group.setNewMemberAdded(true);
        }
        group.add(member);
        member.setAwaitingJoin(new ClassicGroupMember.PendingRequest(context.requestId(), context.apiVersion()));
        // A new member cannot heartbeat yet; its JoinGroup times out instead, so abandoned joins do not pile up.
        rebalancer.scheduleHeartbeat(group, member, config.newMemberJoinTimeoutMs(), effects.nowMs());
        rebalancer.maybePrepareRebalanceOrCompleteJoin(group, effects);
    }

    private void updateMemberThenRebalanceOrCompleteJoin(RequestContext context, JoinGroupRequestData request,
            ClassicGroup group, ClassicGroupMember member, List<ClassicGroupMember.Protocol> protocols,
            Effects effects) {
        awaitJoin(context, member, effects);
        member.update(protocols, rebalanceTimeoutMs(request), request.sessionTimeoutMs());
        rebalancer.maybePrepareRebalanceOrCompleteJoin(group, effects);
    }

    /** Makes this request the member's waiting JoinGroup; an earlier one it replaces is told to rejoin. */
    private void awaitJoin(RequestContext context, ClassicGroupMember member, Effects effects) {
        if (member.isAwaitingJoin()) {
            rebalancer.replyJoin(member, Rebalancer.joinError(member.memberId(),
                    Errors.REBALANCE_IN_PROGRESS), effects);
        }
        member.setAwaitingJoin(new ClassicGroupMember.PendingRequest(context.requestId(), context.apiVersion()));
    }

    private void updateStaticMember(RequestContext context, JoinGroupRequestData request, ClassicGroup group,
            ClassicGroupMember member, String newMemberId, List<ClassicGroupMember.Protocol> protocols,
            Effects effects) {
        String oldLeader = group.leaderId();
        String oldMemberId = member.memberId();
        // The old incarnation's waiting requests are fenced.
        rebalancer.replyJoin(member, Rebalancer.joinError(oldMemberId, Errors.FENCED_INSTANCE_ID), effects);
        if (member.isAwaitingSync()) {
            rebalancer.replySync(group, member, member.awaitingSync(), Errors.FENCED_INSTANCE_ID, effects);
            member.setAwaitingSync(null);
        }
        group.replaceStaticMemberId(member, newMemberId);
        rebalancer.cancelHeartbeat(group, oldMemberId);
        rebalancer.scheduleHeartbeat(group, member, member.sessionTimeoutMs(), effects.nowMs());
        member.setClient(context.clientId(), context.clientHost());
        switch (group.state()) {
            case STABLE -> {
                member.update(protocols, rebalanceTimeoutMs(request), request.sessionTimeoutMs());
                if (group.protocolName().equals(group.selectProtocol())) {
                    // Same protocol: no rebalance. The new member id is persisted; the returned leader stays the
                    // old id so a rejoining static leader does not compute a new assignment (KIP-345/KIP-814).
                    rebalancer.persist(group, Rebalancer.currentAssignment(group), effects);
                    boolean leader = group.isLeader(newMemberId);
                    boolean skipAssignment = leader && context.apiVersion() >= 9;
                    JoinGroupResponseData response = new JoinGroupResponseData()
                            .setMemberId(newMemberId)
                            .setGenerationId(group.generationId())
                            .setProtocolType(group.protocolType())
                            .setProtocolName(group.protocolName())
                            .setLeader(oldLeader)
                            .setSkipAssignment(skipAssignment)
                            .setMembers(skipAssignment ? rebalancer.memberMetadata(group) : new ArrayList<>());
                    reply(context, response, effects);
                } else {
                    awaitJoin(context, member, effects);
                    rebalancer.maybePrepareRebalanceOrCompleteJoin(group, effects);
                }
            }
            case COMPLETING_REBALANCE -> {
                // The leader may already have assigned to the old id: rebalance so the new id gets partitions.
                awaitJoin(context, member, effects);
                member.update(protocols, rebalanceTimeoutMs(request), request.sessionTimeoutMs());
                rebalancer.prepareRebalance(group, effects);
            }
            default -> {
                awaitJoin(context, member, effects);
                member.update(protocols, rebalanceTimeoutMs(request), request.sessionTimeoutMs());
                rebalancer.maybeCompleteJoinPhase(group, effects);
            }
        }
    }

    private static int rebalanceTimeoutMs(JoinGroupRequestData request) {
        // v0 has no rebalance timeout; the session timeout serves.
        return request.rebalanceTimeoutMs() < 0 ? request.sessionTimeoutMs() : request.rebalanceTimeoutMs();
    }

    private static List<ClassicGroupMember.Protocol> protocols(JoinGroupRequestData request) {
        List<ClassicGroupMember.Protocol> protocols = new ArrayList<>(request.protocols().size());
        for (JoinGroupRequestData.JoinGroupRequestProtocol protocol : request.protocols()) {
            protocols.add(new ClassicGroupMember.Protocol(protocol.name(),
                    protocol.metadata() == null ? ClassicGroupMember.EMPTY_BYTES : protocol.metadata()));
        }
        return protocols;
    }

    private String newMemberId(String prefix) {
        return (prefix == null ? "" : prefix) + "-" + new UUID(random.nextLong(), random.nextLong());
    }

    private static void reply(RequestContext context, JoinGroupResponseData response, Effects effects) {
        effects.reply(context.requestId(), JoinResponses.forVersion(response, context.apiVersion()));
    }
}
