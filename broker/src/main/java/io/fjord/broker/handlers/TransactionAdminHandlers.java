package io.fjord.broker.handlers;

import io.fjord.broker.coordinator.transaction.TransactionState;
import io.fjord.broker.coordinator.transactiondriver.TransactionCoordinatorDriver;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeTransactionsRequestData;
import io.fjord.protocol.message.DescribeTransactionsResponseData;
import io.fjord.protocol.message.ListTransactionsRequestData;
import io.fjord.protocol.message.ListTransactionsResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeTransactions (the ids split by shard, answers merged in request order; an id whose shard is not here gets
 * NOT_COORDINATOR, still loading COORDINATOR_LOAD_IN_PROGRESS, as Kafka answers per id) and ListTransactions (every
 * shard this node leads, concatenated; a shard still loading makes the whole answer COORDINATOR_LOAD_IN_PROGRESS, as
 * in Kafka; a shard that resigned meanwhile is left out, its new coordinator lists it). Both answer at once from the
 * committed state, as Kafka does: a transaction whose Prepare record is not yet committed is still Ongoing there.
 * Thread-safe.
 */
public final class TransactionAdminHandlers {
    private final TransactionCoordinatorDriver driver;

    TransactionAdminHandlers(TransactionCoordinatorDriver driver) {
        this.driver = driver;
    }

    public ApiHandler describeTransactions() {
        return (context, request) -> {
            DescribeTransactionsRequestData body = (DescribeTransactionsRequestData) request.body();
            List<String> ids = body.transactionalIds();
            Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
            for (String id : ids) {
                byPartition.computeIfAbsent(driver.partitionFor(id), partition -> new ArrayList<>()).add(id);
            }
            Map<String, DescribeTransactionsResponseData.TransactionState> described = new HashMap<>();
            List<CompletableFuture<Void>> parts = new ArrayList<>();
            byPartition.forEach((partition, own) -> {
                DescribeTransactionsRequestData part = new DescribeTransactionsRequestData()
                        .setTransactionalIds(new ArrayList<>(own));
                parts.add(driver.read(partition, (view, live, nowMs) -> view.describeCommitted(part, live, nowMs),
                        error -> failedDescribe(own, error)).thenAccept(response -> {
                            synchronized (described) {
                                for (DescribeTransactionsResponseData.TransactionState state
                                        : ((DescribeTransactionsResponseData) response).transactionStates()) {
                                    described.putIfAbsent(state.transactionalId(), state);
                                }
                            }
                        }));
            });
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
                DescribeTransactionsResponseData merged = new DescribeTransactionsResponseData();
                synchronized (described) {
                    for (String id : ids) {
                        DescribeTransactionsResponseData.TransactionState state = described.get(id);
                        merged.transactionStates().add(state != null ? state
                                : TransactionErrorResponses.describeTransaction(id, Errors.UNKNOWN_SERVER_ERROR));
                    }
                }
                return merged;
            });
        };
    }

    private static ApiMessage failedDescribe(List<String> ids, Errors error) {
        DescribeTransactionsResponseData failed = new DescribeTransactionsResponseData();
        ids.forEach(id -> failed.transactionStates().add(TransactionErrorResponses.describeTransaction(id, error)));
        return failed;
    }

    public ApiHandler listTransactions() {
        return (context, request) -> {
            ListTransactionsRequestData body = (ListTransactionsRequestData) request.body();
            return driver.readFromAll((view, live, nowMs) -> view.listCommitted(body, nowMs),
                    TransactionErrorResponses::listTransactions).thenApply(parts -> merge(body, parts));
        };
    }

    private static ApiMessage merge(ListTransactionsRequestData request, List<ApiMessage> parts) {
        ListTransactionsResponseData merged = new ListTransactionsResponseData();
        boolean unknownFiltersSet = false;
        for (ApiMessage part : parts) {
            ListTransactionsResponseData listed = (ListTransactionsResponseData) part;
            if (listed.errorCode() == Errors.NOT_COORDINATOR.code()) {
                continue;
            }
            if (listed.errorCode() != Errors.NONE.code()) {
                return TransactionErrorResponses.listTransactions(Errors.forCode(listed.errorCode()));
            }
            if (!unknownFiltersSet) {
                merged.unknownStateFilters().addAll(listed.unknownStateFilters());
                unknownFiltersSet = true;
            }
            merged.transactionStates().addAll(listed.transactionStates());
        }
        if (!unknownFiltersSet) {
            // No shard here: the filters are still checked, as Kafka's answer names the unknown ones.
            for (String state : request.stateFilters()) {
                if (TransactionState.forName(state) == null) {
                    merged.unknownStateFilters().add(state);
                }
            }
        }
        return merged;
    }
}
