package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.message.ApiMessage;

/** The response to the request the runtime numbered {@code requestId}. Implementations are immutable. */
public interface ShardReply {
    long requestId();

    ApiMessage response();
}
