package io.fjord.broker.verification;

import io.fjord.broker.replica.LeaderEndpoint;
import io.fjord.broker.replica.LeaderEndpoints;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.ApiKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
