package io.fjord.broker.verification;

import io.fjord.broker.network.client.NodeConnectionSettings;
import io.fjord.broker.replica.LeaderEndpoint;
import io.fjord.broker.replica.LeaderEndpoints;
import io.fjord.broker.replica.NetworkLeaderEndpoints;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.ApiKey;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * {@link CoordinatorRequests} over the inter-broker listener: one {@link LeaderEndpoint} (a {@code NodeConnection},
 * made when a request needs it, its address looked up in the metadata image then) per coordinator node, kept for the
 * node's next requests. The batched form needs AddPartitionsToTxn v4+; a node serving less cannot verify.
 *
 * <p>Thread-safe: the endpoint map is guarded by this object; endpoints are thread-safe.
 */
public final class NetworkCoordinatorRequests implements CoordinatorRequests {
    /** The first AddPartitionsToTxn version with the batched broker form (KIP-890). */
    static final short BATCHED_VERSION = 4;

    private final LeaderEndpoints endpoints;
    private final Map<Integer, LeaderEndpoint> byNode = new HashMap<>();

    /** @param endpoints the connections' factory; its network thread starts with the first request */
    public NetworkCoordinatorRequests(LeaderEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    /**
     * Requests to the nodes at {@code addresses} (the inter-broker listener's) on their own network thread,
     * {@code fjord-add-partitions-to-txn-network}, each answered within {@code requestTimeoutMs}.
     */
    public static NetworkCoordinatorRequests overTheNetwork(int nodeId,
            IntFunction<Optional<InetSocketAddress>> addresses, NodeConnectionSettings settings,
            long requestTimeoutMs) {
        return new NetworkCoordinatorRequests(new NetworkLeaderEndpoints("fjord-add-partitions-to-txn-network",
                "fjord-add-partitions-to-txn-" + nodeId, addresses, settings, requestTimeoutMs));
    }

    @Override
    public CompletableFuture<AddPartitionsToTxnResponseData> addPartitionsToTxn(
            int nodeId, List<AddPartitionsToTxnTransaction> transactions) {
        LeaderEndpoint endpoint;
        synchronized (this) {
            endpoint = byNode.computeIfAbsent(nodeId, node -> endpoints.endpoint(node, 0));
        }
        return endpoint.send(ApiKey.ADD_PARTITIONS_TO_TXN, version -> {
            if (version < BATCHED_VERSION) {
                throw new UnsupportedOperationException("AddPartitionsToTxn v" + version + " has no broker form");
            }
            return new AddPartitionsToTxnRequestData().setTransactions(transactions);
        }).thenApply(AddPartitionsToTxnResponseData.class::cast);
    }

    @Override
    public void close() {
        List<LeaderEndpoint> open;
        synchronized (this) {
            open = List.copyOf(byNode.values());
            byNode.clear();
        }
        open.forEach(LeaderEndpoint::close);
        endpoints.close();
    }
}
