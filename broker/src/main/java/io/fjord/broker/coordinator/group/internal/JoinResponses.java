package io.fjord.broker.coordinator.group.internal;

import io.fjord.protocol.message.JoinGroupResponseData;

/**
 * Fits a JoinGroup response to the version it answers: before v7 the protocol name may not be null and there is
 * no protocol type; skip-assignment exists from v9. The leader and member id are never null.
 *
 * <p>Stateless and thread-safe.
 */
final class JoinResponses {
    private JoinResponses() {
    }

    static JoinGroupResponseData forVersion(JoinGroupResponseData response, short apiVersion) {
        if (response.leader() == null) {
            response.setLeader("");
        }
        if (response.memberId() == null) {
            response.setMemberId("");
        }
        if (apiVersion < 7) {
            response.setProtocolType(null);
            if (response.protocolName() == null) {
                response.setProtocolName("");
            }
        }
        if (apiVersion < 9) {
            response.setSkipAssignment(false);
        }
        return response;
    }
}
