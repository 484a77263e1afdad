package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.HeartbeatRequestData;
import io.fjord.protocol.message.HeartbeatResponseData;

/**
 * Heartbeat of the classic protocol: a valid heartbeat pushes the member's session deadline out; during a
 * rebalance it also tells the member to rejoin (REBALANCE_IN_PROGRESS).
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class HeartbeatHandler {
    private final GroupStore store;
    private final Rebalancer rebalancer;

    public HeartbeatHandler(GroupStore store, Rebalancer rebalancer) {
        this.store = store;
        this.rebalancer = rebalancer;
    }

    public void handle(RequestContext context, HeartbeatRequestData request, Effects effects) {
        effects.reply(context.requestId(),
                new HeartbeatResponseData().setErrorCode(heartbeat(request, effects.nowMs()).code()));
    }

    private Errors heartbeat(HeartbeatRequestData request, long nowMs) {
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        ClassicGroup group = store.group(request.groupId());
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors error = MemberValidation.validateMember(group, request.memberId(), request.groupInstanceId());
        if (error != Errors.NONE) {
            return error;
        }
        if (request.generationId() != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        ClassicGroupMember member = group.member(request.memberId());
        return switch (group.state()) {
            case PREPARING_REBALANCE -> {
                rebalancer.scheduleHeartbeat(group, member, member.sessionTimeoutMs(), nowMs);
                yield Errors.REBALANCE_IN_PROGRESS;
            }
            case COMPLETING_REBALANCE, STABLE -> {
                rebalancer.scheduleHeartbeat(group, member, member.sessionTimeoutMs(), nowMs);
                yield Errors.NONE;
            }
            default -> Errors.UNKNOWN_MEMBER_ID;
        };
    }
}
