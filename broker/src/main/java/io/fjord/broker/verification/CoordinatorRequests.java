package io.fjord.broker.verification;

import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How the produce path reaches transaction coordinators: one batched AddPartitionsToTxn (v4+, the broker form) to a
 * node. Over the inter-broker listener ({@link NetworkCoordinatorRequests}), or in memory in tests.
 *
 * <p>Implementations are thread-safe.
 */
public interface CoordinatorRequests extends AutoCloseable {
    /**
     * Sends {@code transactions} to node {@code nodeId}. The future fails with {@link UnsupportedOperationException}
     * when the node serves no AddPartitionsToTxn version 4 or later (it cannot verify), and with another exception
     * when the node cannot be reached or does not answer within the request timeout.
     */
    CompletableFuture<AddPartitionsToTxnResponseData> addPartitionsToTxn(
            int nodeId, List<AddPartitionsToTxnTransaction> transactions);

    @Override
    default void close() {
    }
}
