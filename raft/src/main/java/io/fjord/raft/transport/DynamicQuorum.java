package io.fjord.raft.transport;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * A transport's settings for a dynamic quorum (KIP-853, {@code controller.quorum.bootstrap.servers} without
 * {@code controller.quorum.voters}): the voters' endpoints come from the log's voter set and from the leaders
 * that answer, not from configuration.
 *
 * @param listenerName the controller listener name (the first of {@code controller.listener.names}): of a voter's
 *     endpoints, the one of this name is where it is reached
 * @param advertisedAddress where other replicas reach this node's listener (its endpoint in the voter set); null
 *     for a node without a controller listener
 * @param bootstrapServers {@code controller.quorum.bootstrap.servers}, asked in turn for the leader
 *
 * <p>Immutable; thread-safe.
 */
public record DynamicQuorum(String listenerName, InetSocketAddress advertisedAddress,
        List<InetSocketAddress> bootstrapServers) {

    public DynamicQuorum {
        Objects.requireNonNull(listenerName, "listenerName");
        bootstrapServers = List.copyOf(bootstrapServers);
    }
}
