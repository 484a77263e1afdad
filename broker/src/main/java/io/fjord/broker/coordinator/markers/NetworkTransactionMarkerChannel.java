package io.fjord.broker.coordinator.markers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.network.client.NodeConnectionSettings;
import io.fjord.broker.security.sasl.SaslClientCredentials;
import io.fjord.broker.replica.InterBrokerAddresses;
import io.fjord.broker.replica.LeaderEndpoint;
import io.fjord.broker.replica.LeaderEndpoints;
import io.fjord.broker.replica.NetworkLeaderEndpoints;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.WriteTxnMarkersResponseData;
import io.fjord.raft.transport.ChannelSecurity;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TransactionMarkerChannel} of a broker, Kafka's TransactionMarkerChannelManager: markers go in
 * WriteTxnMarkers requests to each partition's current leader over the inter-broker listener, many transactions per
 * request, one request in flight per broker, at the highest version both sides serve ({@link MarkerQueues} decides
 * what to send and what answers mean). Markers for partitions this node leads take the same network path, as in
 * Kafka: one code path with the leader's acks=all and error handling, and the coordinator's thread never runs
 * appends.
 *
 * <p>Life cycle: made without a thread; {@link #start} starts its thread ({@code fjord-txn-marker-sender}) and the
 * connections' event loop ({@code fjord-txn-marker-network}) and fixes where outcomes go; {@link #close} stops both,
 * sending nothing more and reporting nothing more (no marker is reported written that was not answered so). The
 * coordinator calls {@link #removeCoordinatorEpoch} when it stops leading a {@code __transaction_state} partition, so
 * that markers of that epoch are abandoned rather than written late.
 *
 * <p>Thread-safe: every method may be called from any thread; the state is owned by the channel's thread, which also
 * reports the outcomes.
 */
public final class NetworkTransactionMarkerChannel implements TransactionMarkerChannel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkTransactionMarkerChannel.class);

    private final MarkerChannelConfig config;
    private final PartitionLeaders leaders;
    private final ToIntFunction<String> transactionStatePartitionOf;
    private final LeaderEndpoints endpoints;
    private final InstantSource clock;
    private volatile ScheduledExecutorService executor;
    private volatile boolean closed;

    // Owned by the channel's thread.
    private MarkerQueues queues;
    private Outcomes outcomes;
    private final Map<Integer, LeaderEndpoint> endpointByBroker = new HashMap<>();
    private ScheduledFuture<?> wakeup;
    private long wakeupAtMs;

    /**
     * @param transactionStatePartitionOf a transactional id's {@code __transaction_state} partition (Kafka's rule,
     *     {@code OffsetsPartitions.partitionFor} over {@code transaction.state.log.num.partitions})
     * @param endpoints the connections to brokers; one endpoint per broker is used
     */
    public NetworkTransactionMarkerChannel(MarkerChannelConfig config, PartitionLeaders leaders,
            ToIntFunction<String> transactionStatePartitionOf, LeaderEndpoints endpoints, InstantSource clock) {
        this.config = config;
        this.leaders = leaders;
        this.transactionStatePartitionOf = transactionStatePartitionOf;
        this.endpoints = endpoints;
        this.clock = clock;
    }

    /**
     * The channel of node {@code nodeId}, to the brokers' {@code interBrokerListener} as the image registers them.
     *
     * @param security how connections to that listener are protected (TLS when it is SSL), as the fetchers'
     * @param sasl how it authenticates to a SASL inter-broker listener, null for another one
     */
    public static NetworkTransactionMarkerChannel overTheNetwork(int nodeId, MetadataCache cache,
            String interBrokerListener, ChannelSecurity security, SaslClientCredentials sasl,
            MarkerChannelConfig config,
            ToIntFunction<String> transactionStatePartitionOf, InstantSource clock) {
        InterBrokerAddresses addresses = new InterBrokerAddresses(cache, interBrokerListener);
        NetworkLeaderEndpoints endpoints = new NetworkLeaderEndpoints("fjord-txn-marker-network",
                "fjord-txn-marker-sender-" + nodeId, addresses,
                new NodeConnectionSettings(config.connectTimeoutMs(), 1, config.frameBytesMax(), security, sasl),
                config.requestTimeoutMs());
        return new NetworkTransactionMarkerChannel(config, new ImagePartitionLeaders(cache, addresses),
                transactionStatePartitionOf, endpoints, clock);
    }

    /** Starts the channel's threads; outcomes go to {@code outcomes}, on the channel's thread. Once only. */
    public synchronized void start(Outcomes outcomes) {
        if (executor != null || closed) {
            throw new IllegalStateException(closed ? "the marker channel is closed" : "the marker channel runs");
        }
        endpoints.start();
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread named = new Thread(runnable, "fjord-txn-marker-sender");
            named.setDaemon(true);
            return named;
        });
        thread.execute(() -> {
            this.outcomes = outcomes;
            this.queues = new MarkerQueues(config, leaders, transactionStatePartitionOf);
        });
        executor = thread;
    }

    /**
     * {@inheritDoc} Markers sent after {@link #close} are dropped without an outcome.
     *
     * @throws IllegalStateException before {@link #start}
     */
    @Override
    public void send(TransactionMarkers markers) {
        runOnChannelThread(() -> {
            deliver(queues.add(markers, clock.millis()));
            pump();
        });
    }

    /**
     * This node no longer leads {@code __transaction_state} partition {@code transactionStatePartition} at
     * {@code coordinatorEpoch}: the markers of that partition carrying that epoch or an older one are abandoned
     * (NOT_COORDINATOR), now if held and at once if sent later; an answer to a request already in flight for them is
     * ignored. Markers of a newer epoch (the partition led here again) are not affected.
     */
    @Override
    public void removeCoordinatorEpoch(int transactionStatePartition, int coordinatorEpoch) {
        runOnChannelThread(() -> deliver(queues.removeCoordinatorEpoch(transactionStatePartition,
                coordinatorEpoch)));
    }

    /**
     * Stops sending; nothing more is reported. The connections close on the channel's thread, after the task it is
     * running (waited for, bounded).
     */
    @Override
    public synchronized void close() {
        closed = true;
        ScheduledExecutorService thread = executor;
        if (thread != null) {
            try {
                thread.submit(() -> endpointByBroker.values().forEach(LeaderEndpoint::close))
                        .get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
                LOG.warn("The transaction marker channel did not close its connections: {}", e.toString());
            }
            thread.shutdownNow(); // drops the back-off timers
        }
        endpoints.close();
    }

    private void runOnChannelThread(Runnable task) {
        ScheduledExecutorService thread = executor;
        if (thread == null) {
            if (closed) {
                return;
            }
            throw new IllegalStateException("the marker channel is not started");
        }
        try {
            thread.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("The transaction marker channel failed a task", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // Closing: nothing more is sent or reported.
        }
    }

    /** Sends what can go now and schedules the next look for what waits out a back-off. */
    private void pump() {
        long nowMs = clock.millis();
        MarkerQueues.Drained drained = queues.drain(nowMs);
        deliver(drained.outcomes());
        for (MarkerRequest request : drained.requests()) {
            sendRequest(request);
        }
        scheduleWakeup(queues.nextRetryMs(nowMs), nowMs);
    }

    private void sendRequest(MarkerRequest request) {
        LeaderEndpoint endpoint = endpointByBroker.computeIfAbsent(request.destination(),
                broker -> endpoints.endpoint(broker, 0));
        endpoint.send(ApiKey.WRITE_TXN_MARKERS, request::toRequestData).whenComplete((response, failure) ->
                runOnChannelThread(() -> answered(request, response, failure)));
    }

    private void answered(MarkerRequest request, ApiMessage response, Throwable failure) {
        long nowMs = clock.millis();
        if (response instanceof WriteTxnMarkersResponseData markers) {
            deliver(queues.onResponse(request, markers, nowMs));
        } else {
            LOG.debug("WriteTxnMarkers to broker {} failed, its markers go again: {}", request.destination(),
                    failure == null ? "unexpected response " + response : failure.toString());
            queues.onFailure(request, nowMs);
        }
        pump();
    }

    private void scheduleWakeup(long atMs, long nowMs) {
        if (atMs < 0 || (wakeup != null && !wakeup.isDone() && wakeupAtMs <= atMs)) {
            return;
        }
        if (wakeup != null) {
            wakeup.cancel(false);
        }
        wakeupAtMs = atMs;
        wakeup = executor.schedule(() -> runOnChannelThread(this::pump), Math.max(0, atMs - nowMs),
                TimeUnit.MILLISECONDS);
    }

    private void deliver(List<MarkerOutcome> reported) {
        for (MarkerOutcome outcome : reported) {
            try {
                outcome.deliverTo(outcomes);
            } catch (RuntimeException e) {
                LOG.error("The transaction coordinator failed to take the outcome {}", outcome, e);
            }
        }
    }
}
