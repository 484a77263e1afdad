package io.fjord.broker.handlers;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddOffsetsToTxnResponseData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import io.fjord.protocol.message.DescribeTransactionsResponseData;
import io.fjord.protocol.message.EndTxnResponseData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import io.fjord.protocol.message.ListTransactionsResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The response each transaction API gives when a request (or one shard's part of it) fails with one error
 * (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, a failed append), shaped as Kafka's
 * {@code getErrorResponse}. Stateless.
 */
final class TransactionErrorResponses {
    private TransactionErrorResponses() {
    }

    static InitProducerIdResponseData initProducerId(Errors error) {
        return new InitProducerIdResponseData().setErrorCode(error.code()).setProducerId(-1)
                .setProducerEpoch((short) -1);
    }

    static AddOffsetsToTxnResponseData addOffsetsToTxn(Errors error) {
        return new AddOffsetsToTxnResponseData().setErrorCode(error.code());
    }

    static EndTxnResponseData endTxn(Errors error) {
        return new EndTxnResponseData().setErrorCode(error.code()).setProducerId(-1).setProducerEpoch((short) -1);
    }

    static ListTransactionsResponseData listTransactions(Errors error) {
        return new ListTransactionsResponseData().setErrorCode(error.code());
    }

    /** v0-3: every partition of the request with the error. */
    static AddPartitionsToTxnResponseData addPartitionsV3AndBelow(
            List<AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic> topics,
            BiFunction<String, Integer, Errors> errorOf) {
        return new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(topicResults(topics, errorOf));
    }

    /** v4+: one transaction's result, every partition with the error. */
    static AddPartitionsToTxnResult addPartitionsTransaction(
            AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction transaction, Errors error) {
        return new AddPartitionsToTxnResult().setTransactionalId(transaction.transactionalId())
                .setTopicResults(topicResults(transaction.topics(), (topic, partition) -> error));
    }

    static List<AddPartitionsToTxnTopicResult> topicResults(
            List<AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic> topics,
            BiFunction<String, Integer, Errors> errorOf) {
        List<AddPartitionsToTxnTopicResult> results = new ArrayList<>();
        for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic topic : topics) {
            AddPartitionsToTxnTopicResult result = new AddPartitionsToTxnTopicResult().setName(topic.name());
            for (int partition : topic.partitions()) {
                result.resultsByPartition().add(new AddPartitionsToTxnPartitionResult().setPartitionIndex(partition)
                        .setPartitionErrorCode(errorOf.apply(topic.name(), partition).code()));
            }
            results.add(result);
        }
        return results;
    }

    static DescribeTransactionsResponseData.TransactionState describeTransaction(String transactionalId,
            Errors error) {
        return new DescribeTransactionsResponseData.TransactionState().setTransactionalId(transactionalId)
                .setErrorCode(error.code()).setTransactionState("").setProducerId(-1).setProducerEpoch((short) -1)
                .setTransactionTimeoutMs(-1).setTransactionStartTimeMs(-1);
    }
}
