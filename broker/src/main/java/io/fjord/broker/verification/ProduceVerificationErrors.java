package io.fjord.broker.verification;

import io.fjord.protocol.Errors;

/**
 * A failed verification's coordinator error as the producer gets it in the Produce response, Kafka 4.4's
 * translation: INVALID_TXN_STATE says the partition was not added; the retriable coordinator errors become
 * NOT_ENOUGH_REPLICAS (which older producers retry without a metadata refresh), CONCURRENT_TRANSACTIONS too unless
 * the producer is on transaction protocol v2 (common while a transaction commits there, and clearer as it is); every
 * other error passes as it is. Stateless; thread-safe.
 */
public final class ProduceVerificationErrors {
    /** A Produce partition error with its message (null: the error's default). */
    public record ProduceError(Errors error, String message) {
    }

    private ProduceVerificationErrors() {
    }

    public static ProduceError toProduceError(Errors coordinatorError, VerificationOperation operation) {
        switch (coordinatorError) {
            case INVALID_TXN_STATE:
                return new ProduceError(Errors.INVALID_TXN_STATE, "Partition was not added to the transaction");
            case NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR:
                return notEnoughReplicas(coordinatorError);
            case CONCURRENT_TRANSACTIONS:
                return operation.supportsEpochBump() ? new ProduceError(coordinatorError, null)
                        : notEnoughReplicas(coordinatorError);
            default:
                return new ProduceError(coordinatorError, null);
        }
    }

    private static ProduceError notEnoughReplicas(Errors underlying) {
        return new ProduceError(Errors.NOT_ENOUGH_REPLICAS, "Unable to verify the partition has been added to the"
                + " transaction. Underlying error: " + underlying.name());
    }
}
