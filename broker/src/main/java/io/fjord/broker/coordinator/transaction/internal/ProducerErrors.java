package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.protocol.Errors;

/**
 * Kafka's down-conversion of PRODUCER_FENCED for clients that predate it (KIP-588): they get INVALID_PRODUCER_EPOCH.
 *
 * <p>Stateless and thread-safe.
 */
final class ProducerErrors {
    private ProducerErrors() {
    }

    /**
     * @param firstVersionWithFenced the API's first version that knows PRODUCER_FENCED (InitProducerId 4,
     *        AddPartitionsToTxn, AddOffsetsToTxn and EndTxn 2)
     */
    static Errors forVersion(Errors error, short apiVersion, int firstVersionWithFenced) {
        if (error == Errors.PRODUCER_FENCED && apiVersion < firstVersionWithFenced) {
            return Errors.INVALID_PRODUCER_EPOCH;
        }
        return error;
    }
}
