package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.LeaveGroupRequestData;
import io.fjord.protocol.message.LeaveGroupResponseData;
import java.util.ArrayList;
import java.util.List;

/**
 * LeaveGroup of the classic protocol: one member (v0-2, error at the top level) or a batch (v3+, an error per
 * member; static members are named by instance id). The group rebalances once after all removals.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class LeaveGroupHandler {
    private final GroupStore store;
    private final Rebalancer rebalancer;

    public LeaveGroupHandler(GroupStore store, Rebalancer rebalancer) {
        this.store = store;
        this.rebalancer = rebalancer;
    }

    public void handle(RequestContext context, LeaveGroupRequestData request, Effects effects) {
        boolean batched = context.apiVersion() >= 3;
        List<LeaveGroupRequestData.MemberIdentity> leaving = batched ? request.members()
                : List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(request.memberId()));
        LeaveGroupResponseData response = new LeaveGroupResponseData();
        ClassicGroup group = request.groupId() == null || request.groupId().isEmpty()
                ? null : store.group(request.groupId());
        if (request.groupId() == null || request.groupId().isEmpty()) {
            response.setErrorCode(Errors.INVALID_GROUP_ID.code());
        } else if (group == null) {
            // Kafka answers an unknown group with UNKNOWN_MEMBER_ID for each member.
            fill(response, leaving, batched, Errors.UNKNOWN_MEMBER_ID);
        } else if (group.isInState(ClassicGroupState.DEAD)) {
            response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        } else {
            leave(group, leaving, batched, response, effects);
        }
        effects.reply(context.requestId(), response);
    }

    private void leave(ClassicGroup group, List<LeaveGroupRequestData.MemberIdentity> leaving, boolean batched,
            LeaveGroupResponseData response, Effects effects) {
        boolean removedMember = false;
        boolean removedPending = false;
        List<LeaveGroupResponseData.MemberResponse> results = new ArrayList<>(leaving.size());
        for (LeaveGroupRequestData.MemberIdentity identity : leaving) {
            String memberId = identity.memberId() == null ? "" : identity.memberId();
            String instanceId = identity.groupInstanceId();
            Errors error;
            ClassicGroupMember member = null;
            if (instanceId == null) {
                if (group.isPendingMember(memberId)) {
                    group.removePendingMember(memberId);
                    rebalancer.cancelHeartbeat(group, memberId);
                    removedPending = true;
                    error = Errors.NONE;
                } else {
                    member = group.member(memberId);
                    error = member == null ? Errors.UNKNOWN_MEMBER_ID : Errors.NONE;
                }
            } else {
                String existing = group.staticMemberId(instanceId);
                if (existing == null) {
                    error = Errors.UNKNOWN_MEMBER_ID;
                } else if (!memberId.isEmpty() && !memberId.equals(existing)) {
                    error = Errors.FENCED_INSTANCE_ID;
                } else {
                    member = group.member(existing);
                    error = Errors.NONE;
                }
            }
            if (member != null) {
                rebalancer.removeMember(group, member, effects);
                removedMember = true;
            }
            results.add(new LeaveGroupResponseData.MemberResponse().setMemberId(memberId)
                    .setGroupInstanceId(instanceId).setErrorCode(error.code()));
        }
        if (removedMember) {
            rebalancer.updateGroupAfterRemoval(group, effects);
        } else if (removedPending) {
            rebalancer.maybeCompleteJoinPhase(group, effects);
        }
        if (batched) {
            response.setMembers(results);
        } else {
            response.setErrorCode(results.get(0).errorCode());
        }
    }

    private static void fill(LeaveGroupResponseData response, List<LeaveGroupRequestData.MemberIdentity> leaving,
            boolean batched, Errors error) {
        if (!batched) {
            response.setErrorCode(error.code());
            return;
        }
        List<LeaveGroupResponseData.MemberResponse> results = new ArrayList<>(leaving.size());
        for (LeaveGroupRequestData.MemberIdentity identity : leaving) {
            results.add(new LeaveGroupResponseData.MemberResponse().setMemberId(identity.memberId())
                    .setGroupInstanceId(identity.groupInstanceId()).setErrorCode(error.code()));
        }
        response.setMembers(results);
    }
}
