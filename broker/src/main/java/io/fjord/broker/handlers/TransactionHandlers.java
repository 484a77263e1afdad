package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.driver.GroupCoordinatorDriver;
import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.broker.coordinator.transactiondriver.TransactionCoordinatorDriver;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.CreateTopicsRequestData;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Registers the transaction coordinator's APIs, all served through one {@link TransactionCoordinatorDriver}. Stateless.
 */
public final class TransactionHandlers {
    private TransactionHandlers() {
    }

    /**
     * Registers InitProducerId (idempotent and transactional), AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
     * DescribeTransactions and ListTransactions, and FindCoordinator for both groups and transactions (replacing the
     * group-only one {@link GroupHandlers} registers, so call this after it).
     *
     * @param producerIds  the idempotent producers' ids
     * @param createTopics creates topics through the controller (FindCoordinator creates the internal topics)
     */
    public static void register(Map<ApiKey, ApiHandler> handlers, MetadataCache cache, GroupCoordinatorDriver groups,
            TransactionCoordinatorDriver transactions, ProducerIdSource producerIds,
            Function<CreateTopicsRequestData, CompletionStage<?>> createTopics) {
        handlers.put(ApiKey.FIND_COORDINATOR, new FindCoordinatorHandler(cache, groups, transactions, createTopics));
        TransactionProducerHandlers producers = new TransactionProducerHandlers(cache, transactions, producerIds);
        handlers.put(ApiKey.INIT_PRODUCER_ID, producers.initProducerId());
        handlers.put(ApiKey.ADD_PARTITIONS_TO_TXN, producers.addPartitionsToTxn());
        handlers.put(ApiKey.ADD_OFFSETS_TO_TXN, producers.addOffsetsToTxn());
        handlers.put(ApiKey.END_TXN, producers.endTxn());
        TransactionAdminHandlers admin = new TransactionAdminHandlers(transactions);
        handlers.put(ApiKey.DESCRIBE_TRANSACTIONS, admin.describeTransactions());
        handlers.put(ApiKey.LIST_TRANSACTIONS, admin.listTransactions());
    }
}
