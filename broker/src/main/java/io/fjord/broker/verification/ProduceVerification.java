package io.fjord.broker.verification;

import io.fjord.broker.replica.ReplicaManager.LeaderAppend;
import io.fjord.protocol.Errors;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.VerificationGuard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * KIP-890 on the produce path, before a leader appends: Kafka's checks of a request's transactional batches (they
 * need a transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED; they must all be of one producer id and epoch,
 * else INVALID_PRODUCER_ID_MAPPING, both for the whole request), then, while
 * {@code transaction.partition.verification.enable} is on, a {@link VerificationGuard} per transactional partition
 * and, for the partitions whose producer has no ongoing transaction there, one verification with the coordinator
 * ({@link AddPartitionsToTxnManager}). Produce v12+ adds those partitions to the transaction even with verification
 * off (its producer sends no AddPartitionsToTxn), as Kafka does; only their appends are not checked then. Such an
 * add answered CONCURRENT_TRANSACTIONS is asked again, guards and all, as {@link AddPartitionRetries} says. Nothing
 * blocks: the answer completes when the coordinator's last does.
 *
 * <p>Thread-safe (its collaborators are).
 */
public final class ProduceVerification {
    /**
     * Where a partition's guard comes from: {@code ReplicaManager#startTransactionVerification}
     * ({@code supportsEpochBump}: the producer is on transaction protocol v2).
     */
    @FunctionalInterface
    public interface GuardSource {
        VerificationGuard start(TopicPartition topicPartition, long producerId, short producerEpoch,
                                boolean supportsEpochBump);
    }

    /**
     * What to do with a request's appends: a whole-request error (not NONE: every partition answers it), or per
     * append either its error (not null) or the append to make, with its guard.
     */
    public record Prepared(Errors requestError, List<LeaderAppend> appends,
                           List<ProduceVerificationErrors.ProduceError> errors) {
    }

    private record Producer(long producerId, short producerEpoch) {
    }

    private final AddPartitionsToTxnManager manager;
    private final GuardSource guards;
    private final BooleanSupplier enabled;
    private final AddPartitionRetries retries;

    /** As the other constructor, without retries of a CONCURRENT_TRANSACTIONS add. */
    public ProduceVerification(AddPartitionsToTxnManager manager, GuardSource guards, BooleanSupplier enabled) {
        this(manager, guards, enabled, AddPartitionRetries.none());
    }

    /** @param enabled {@code transaction.partition.verification.enable}, read at each request (it is dynamic) */
    public ProduceVerification(AddPartitionsToTxnManager manager, GuardSource guards, BooleanSupplier enabled,
                               AddPartitionRetries retries) {
        this.manager = manager;
        this.guards = guards;
        this.enabled = enabled;
        this.retries = retries;
    }

    /** A request's appends with no verification at all (no manager: Kafka's behaviour with it disabled). */
    public static Prepared unverified(List<LeaderAppend> appends) {
        return new Prepared(Errors.NONE, appends, Arrays.asList(new ProduceVerificationErrors.ProduceError[
                appends.size()]));
    }

    public CompletableFuture<Prepared> prepare(String transactionalId, short produceVersion,
                                               List<LeaderAppend> appends) {
        Producer[] producers = new Producer[appends.size()];
        Producer producer = null;
        for (int i = 0; i < appends.size(); i++) {
            producers[i] = transactionalProducer(appends.get(i));
            if (producers[i] == null) {
                continue;
            }
            if (transactionalId == null) {
                return CompletableFuture.completedFuture(new Prepared(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                        appends, List.of()));
            }
            if (producers[i].producerId() < 0 || producer != null && !producer.equals(producers[i])) {
                return CompletableFuture.completedFuture(new Prepared(Errors.INVALID_PRODUCER_ID_MAPPING, appends,
                        List.of()));
            }
            producer = producers[i];
        }
        VerificationOperation operation = VerificationOperation.forProduceVersion(produceVersion);
        boolean checked = enabled.getAsBoolean();
        // Produce v12+ (transaction protocol v2) must add its partitions even with verification off: its producer
        // sends no AddPartitionsToTxn, so only this tells the coordinator (Kafka's ReplicaManager does the same).
        if (producer == null || !checked && !operation.supportsEpochBump()) {
            return CompletableFuture.completedFuture(unverified(appends));
        }
        CompletableFuture<Prepared> prepared = new CompletableFuture<>();
        attempt(new Attempt(transactionalId, producer, operation, checked, appends, producers,
                retries.clock().millis()), prepared);
        return prepared;
    }

    /** One request's verification, the same at every attempt. */
    private record Attempt(String transactionalId, Producer producer, VerificationOperation operation,
                           boolean checked, List<LeaderAppend> appends, Producer[] producers, long startMs) {
    }

    /** Takes the guards (again: a retry finds the transaction ongoing, or a new guard) and asks the coordinator. */
    private void attempt(Attempt attempt, CompletableFuture<Prepared> prepared) {
        List<LeaderAppend> appends = attempt.appends();
        Producer producer = attempt.producer();
        List<LeaderAppend> guarded = new ArrayList<>(appends.size());
        List<TopicPartition> toVerify = new ArrayList<>();
        try {
            for (int i = 0; i < appends.size(); i++) {
                LeaderAppend append = appends.get(i);
                if (attempt.producers()[i] == null) {
                    guarded.add(append);
                    continue;
                }
                VerificationGuard guard = guards.start(append.topicPartition(), producer.producerId(),
                        producer.producerEpoch(), attempt.operation().supportsEpochBump());
                // With verification off the guard is not checked at the append (Kafka's log checks it only while on).
                guarded.add(new LeaderAppend(append.topicPartition(), append.batch(),
                        attempt.checked() ? guard : null));
                if (guard != VerificationGuard.SENTINEL) {
                    toVerify.add(append.topicPartition());
                }
            }
        } catch (RuntimeException e) {
            prepared.completeExceptionally(e);
            return;
        }
        if (toVerify.isEmpty()) {
            prepared.complete(unverified(guarded));
            return;
        }
        manager.verify(attempt.transactionalId(), producer.producerId(), producer.producerEpoch(), toVerify,
                attempt.operation()).whenComplete((unverified, failure) -> {
                    if (failure != null) {
                        prepared.completeExceptionally(failure);
                    } else if (attempt.operation().supportsEpochBump()
                            && retries.shouldRetry(unverified, attempt.startMs())) {
                        retry(attempt, prepared, guarded, unverified);
                    } else {
                        prepared.complete(withErrors(guarded, unverified, attempt.operation()));
                    }
                });
    }

    private void retry(Attempt attempt, CompletableFuture<Prepared> prepared, List<LeaderAppend> guarded,
                       Map<TopicPartition, Errors> unverified) {
        try {
            retries.scheduler().schedule(() -> attempt(attempt, prepared), retries.backoffMs());
        } catch (RuntimeException e) {
            // No retry (the node is stopping): the producer gets the coordinator's answer.
            prepared.complete(withErrors(guarded, unverified, attempt.operation()));
        }
    }

    private static Prepared withErrors(List<LeaderAppend> appends, Map<TopicPartition, Errors> unverified,
                                       VerificationOperation operation) {
        Prepared prepared = unverified(appends);
        for (int i = 0; i < appends.size(); i++) {
            Errors error = unverified.get(appends.get(i).topicPartition());
            if (error != null && error != Errors.NONE) {
                prepared.errors().set(i, ProduceVerificationErrors.toProduceError(error, operation));
            }
        }
        return prepared;
    }

    /** The producer of the append's transactional data batches, or null when it has none. */
    private static Producer transactionalProducer(LeaderAppend append) {
        Producer found = null;
        for (RecordBatch batch : RecordBatches.of(append.batch().duplicate())) {
            if (batch.isTransactional() && !batch.isControlBatch() && batch.producerId() >= 0) {
                Producer producer = new Producer(batch.producerId(), batch.producerEpoch());
                if (found != null && !found.equals(producer)) {
                    // Two producers in one partition's records: Kafka's InvalidPidMappingException for the request.
                    return new Producer(-1, (short) -1);
                }
                found = producer;
            }
        }
        return found;
    }
}
