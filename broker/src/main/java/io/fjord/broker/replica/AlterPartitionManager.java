package io.fjord.broker.replica;

import io.fjord.broker.controller.ControllerChannel;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the leaders' proposed ISR changes to the active controller with AlterPartition (Kafka's
 * AlterPartitionManager): at most one proposal per partition is outstanding, proposals are batched into one request,
 * and one request is in flight at a time (what arrives meanwhile goes in the next one).
 *
 * <p>Answers: each partition's answer (its error, or its new state) completes that partition's future. A partition
 * missing from the answer, a top-level error (NOT_CONTROLLER, STALE_BROKER_EPOCH, REQUEST_TIMED_OUT from the
 * channel's deadline, ...) or a failed send leaves the proposals queued and sends them again after
 * {@code retryBackoffMs}. Which partition-level errors the leader retries is the {@link Partition}'s decision.
 *
 * <p>The request is version 3's: the ISR with the broker epochs the leader saw (KIP-903), by topic id.
 *
 * <p>Thread-safe: the queue and the in-flight flag are guarded by this object's monitor; requests are sent and
 * futures completed outside it.
 */
public final class AlterPartitionManager implements AlterPartitionSender {
    private static final Logger LOG = LoggerFactory.getLogger(AlterPartitionManager.class);
    /** Kafka's broker-to-controller retry backoff ({@code retry.backoff.ms}'s default). */
    public static final long RETRY_BACKOFF_MS_DEFAULT = 100;

    private final int brokerId;
    private final LongSupplier brokerEpoch;
    private final ControllerChannel channel;
    private final TaskScheduler scheduler;
    private final long retryBackoffMs;
    /** Proposals not answered yet, in submission order; those of the request in flight stay here too. */
    private final Map<PartitionKey, Pending> unanswered = new LinkedHashMap<>();
    private boolean inFlight;
    private boolean retryScheduled;

    private record PartitionKey(UUID topicId, int partition) {
    }

    private record Pending(Proposal proposal, CompletableFuture<Outcome> future) {
    }

    /**
     * @param brokerEpoch this broker's current registration epoch (-1 before it registered)
     * @param scheduler   runs the retries
     */
    public AlterPartitionManager(int brokerId, LongSupplier brokerEpoch, ControllerChannel channel,
                                 TaskScheduler scheduler, long retryBackoffMs) {
        this.brokerId = brokerId;
        this.brokerEpoch = brokerEpoch;
        this.channel = channel;
        this.scheduler = scheduler;
        this.retryBackoffMs = retryBackoffMs;
    }

    @Override
    public CompletableFuture<Outcome> submit(Proposal proposal) {
        PartitionKey key = new PartitionKey(proposal.topicId(), proposal.topicPartition().partition());
        CompletableFuture<Outcome> future = new CompletableFuture<>();
        synchronized (this) {
            if (unanswered.containsKey(key)) {
                return CompletableFuture.completedFuture(Outcome.failed(Errors.OPERATION_NOT_ATTEMPTED));
            }
            unanswered.put(key, new Pending(proposal, future));
        }
        maybeSend();
        return future;
    }

    /** How many proposals await an answer; for tests and metrics. */
    public synchronized int unansweredCount() {
        return unanswered.size();
    }

    private void maybeSend() {
        AlterPartitionRequestData request;
        List<PartitionKey> sent;
        synchronized (this) {
            if (inFlight || retryScheduled || unanswered.isEmpty()) {
                return;
            }
            inFlight = true;
            sent = new ArrayList<>(unanswered.keySet());
            request = request(unanswered.values());
        }
        CompletableFuture<ApiMessage> response;
        try {
            response = channel.send(ApiKey.ALTER_PARTITION, request);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((answer, failure) -> onAnswer(sent, answer, failure));
    }

    private AlterPartitionRequestData request(Iterable<Pending> proposals) {
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(brokerId)
                .setBrokerEpoch(brokerEpoch.getAsLong());
        Map<UUID, AlterPartitionRequestData.TopicData> topics = new LinkedHashMap<>();
        for (Pending pending : proposals) {
            Proposal proposal = pending.proposal();
            AlterPartitionRequestData.TopicData topic = topics.computeIfAbsent(proposal.topicId(),
                    id -> new AlterPartitionRequestData.TopicData().setTopicId(id));
            List<AlterPartitionRequestData.BrokerState> isr = new ArrayList<>();
            for (IsrMember member : proposal.newIsr()) {
                isr.add(new AlterPartitionRequestData.BrokerState().setBrokerId(member.brokerId())
                        .setBrokerEpoch(member.brokerEpoch()));
            }
            topic.partitions().add(new AlterPartitionRequestData.PartitionData()
                    .setPartitionIndex(proposal.topicPartition().partition())
                    .setLeaderEpoch(proposal.leaderEpoch()).setNewIsrWithEpochs(isr)
                    .setLeaderRecoveryState(proposal.leaderRecoveryState())
                    .setPartitionEpoch(proposal.partitionEpoch()));
        }
        request.topics().addAll(topics.values());
        return request;
    }

    private void onAnswer(List<PartitionKey> sent, ApiMessage answer, Throwable failure) {
        if (failure != null) {
            LOG.warn("AlterPartition failed ({}); retrying in {} ms", failure.toString(), retryBackoffMs);
            retryLater();
            return;
        }
        AlterPartitionResponseData response = (AlterPartitionResponseData) answer;
        Errors error = Errors.forCode(response.errorCode());
        if (error != Errors.NONE) {
            LOG.warn("The controller answered AlterPartition with {}; retrying in {} ms", error, retryBackoffMs);
            retryLater();
            return;
        }
        Map<PartitionKey, Outcome> outcomes = new LinkedHashMap<>();
        for (AlterPartitionResponseData.TopicData topic : response.topics()) {
            for (AlterPartitionResponseData.PartitionData partition : topic.partitions()) {
                outcomes.put(new PartitionKey(topic.topicId(), partition.partitionIndex()), new Outcome(
                        Errors.forCode(partition.errorCode()), partition.leaderId(), partition.leaderEpoch(),
                        partition.isr(), partition.leaderRecoveryState(), partition.partitionEpoch()));
            }
        }
        List<Runnable> completions = new ArrayList<>();
        boolean missing = false;
        synchronized (this) {
            for (PartitionKey key : sent) {
                Outcome outcome = outcomes.get(key);
                if (outcome == null) {
                    // Left queued: sent again with the next request.
                    LOG.warn("AlterPartition's answer left out partition {} of topic {}", key.partition(),
                            key.topicId());
                    missing = true;
                    continue;
                }
                // Removed before completing, so the leader may propose again from its callback.
                Pending pending = unanswered.remove(key);
                completions.add(() -> pending.future().complete(outcome));
            }
            inFlight = false;
        }
        completions.forEach(Runnable::run);
        if (missing) {
            retryLater();
        } else {
            maybeSend();
        }
    }

    private void retryLater() {
        synchronized (this) {
            inFlight = false;
            if (retryScheduled) {
                return;
            }
            retryScheduled = true;
        }
        scheduler.schedule(() -> {
            synchronized (this) {
                retryScheduled = false;
            }
            maybeSend();
        }, retryBackoffMs);
    }
}
