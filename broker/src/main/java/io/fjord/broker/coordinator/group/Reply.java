package io.fjord.broker.coordinator.group;

import io.fjord.broker.coordinator.runtime.ShardReply;
import io.fjord.protocol.message.ApiMessage;

/**
 * A response ready to go to the client that sent request {@code requestId}, once the records of the same
 * {@link CoordinatorResult} are durable. Immutable (the response is not changed after it is built).
 */
public record Reply(long requestId, ApiMessage response) implements ShardReply {
}
