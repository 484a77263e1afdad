package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.replica.ReplicationQuota;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.delayed.DelayedOperationPurgatory;
import io.fjord.broker.fetch.FetchContext;
import io.fjord.broker.fetch.FetchManager;
import io.fjord.broker.fetch.FetchSessionCache;
import io.fjord.broker.fetch.FollowerPositions;
import io.fjord.broker.fetch.PartitionToFetch;
import io.fjord.broker.fetch.PreferredReadReplica;
import io.fjord.broker.fetch.RackAwareReplicaSelector;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch (versions 4 to 18): consumers and followers read record batches, through fetch sessions (KIP-227).
 *
 * <p>Flow: the request becomes a {@link FetchContext} ({@link FetchManager}); a session error is answered at once.
 * Otherwise the partitions are read ({@link PartitionReader}); the fetch is answered at once if {@code maxWaitMs} is
 * 0, nothing is to be read, a partition failed, or at least {@code minBytes} were read. Else what was read is
 * released and a {@link DelayedFetch} waits in the purgatory, watching the partitions, until appends bring enough
 * bytes ({@link #onPartitionChanged}) or {@code maxWaitMs} passes; then the partitions are read again and answered.
 * The request's {@code maxBytes} is capped by the broker's {@code fetch.max.bytes}, and {@code minBytes} by that.
 *
 * <p>Threads: reads run on the request handler pool, never on an event loop. A delayed fetch completed by a change
 * (on the appender's or high-watermark mover's thread) is answered there with the read that satisfied its check;
 * one that expired (on the purgatory's reaper) or was forced by a shutdown reads again on the read executor.
 *
 * <p>Thread-safe. A handler made by {@link #start} owns its purgatory (reaper started) and stops it on
 * {@link #close()}; the read executor belongs to the caller.
 */
public final class FetchHandler implements ApiHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FetchHandler.class);
    /** Fetch v11 added the consumer's rack, and with it fetching from followers (KIP-392). */
    static final short FIRST_CLIENT_METADATA_VERSION = 11;

    private final MetadataCache cache;
    private final PartitionReader reader;
    private final FetchManager fetchManager;
    private final DelayedOperationPurgatory<DelayedFetch> purgatory;
    private final Executor readExecutor;
    private final int fetchMaxBytes;
    private final AutoCloseable owned;
    private final FollowerFetchRecorder followerFetches;
    private final InstantSource clock;
    /** Fetches waiting in the purgatory, so that a shutdown can answer them at once. */
    private final Set<DelayedFetch> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;
    /** Set once, before requests are served ({@link #useAuthorization}); ALLOW_ALL until then. */
    private volatile FetchAuthorization authorization = FetchAuthorization.ALLOW_ALL;
    /** Set once, before requests are served ({@link #useQuota}); no consumer quota until then. */
    private volatile ConsumerFetchQuota quota = ConsumerFetchQuota.NONE;

    /**
     * The broker settings the handler follows, by Kafka's names.
     *
     * @param fetchMaxBytes {@code fetch.max.bytes}: the most record bytes one response carries
     * @param sessionCacheSlots {@code max.incremental.fetch.session.cache.slots}
     * @param rackAwareReplicaSelector {@code replica.selector.class} names Kafka's rack-aware selector (the only
     *                                 value it takes); false when unset: consumers read from leaders only
     */
    public record Settings(int fetchMaxBytes, int sessionCacheSlots, boolean rackAwareReplicaSelector) {
        /** Settings without a replica selector. */
        public Settings(int fetchMaxBytes, int sessionCacheSlots) {
            this(fetchMaxBytes, sessionCacheSlots, false);
        }

        /** Reads the settings from the broker's validated configuration (Kafka's defaults when unset). */
        public static Settings from(BrokerConfig config) {
            return new Settings(config.intValue("fetch.max.bytes"),
                    config.intValue("max.incremental.fetch.session.cache.slots"),
                    RackAwareReplicaSelector.KAFKA_CLASS_NAME.equals(config.string("replica.selector.class")));
        }
    }

    /**
     * Where the leader's side of replication learns of a follower's fetch of a partition served without error
     * ({@code ReplicaManager.recordFollowerFetch}): the follower's log end offset is the fetch offset.
     */
    @FunctionalInterface
    public interface FollowerFetchRecorder {
        FollowerFetchRecorder NONE = (replicaId, brokerEpoch, topicPartition, fetchOffset, logStartOffset,
                nowMs) -> false;

        boolean recordFollowerFetch(int replicaId, long brokerEpoch, TopicPartition topicPartition, long fetchOffset,
                long logStartOffset, long nowMs);
    }

    /** A handler over the given parts; the caller owns and stops the purgatory and the executor. */
    public FetchHandler(MetadataCache cache, PartitionReader reader, FetchManager fetchManager,
            DelayedOperationPurgatory<DelayedFetch> purgatory, Executor readExecutor, int fetchMaxBytes) {
        this(cache, reader, fetchManager, purgatory, readExecutor, fetchMaxBytes, () -> { },
                FollowerFetchRecorder.NONE, InstantSource.system());
    }

    private FetchHandler(MetadataCache cache, PartitionReader reader, FetchManager fetchManager,
            DelayedOperationPurgatory<DelayedFetch> purgatory, Executor readExecutor, int fetchMaxBytes,
            AutoCloseable owned, FollowerFetchRecorder followerFetches, InstantSource clock) {
        this.followerFetches = followerFetches;
        this.clock = clock;
        this.cache = cache;
        this.reader = reader;
        this.fetchManager = fetchManager;
        this.purgatory = purgatory;
        this.readExecutor = readExecutor;
        this.fetchMaxBytes = fetchMaxBytes;
        this.owned = owned;
    }

    /**
     * Creates a handler with its own session cache and purgatory (reaper started). Reads run on {@code readExecutor},
     * which the caller owns: the node passes its request handler pool, so a fetch needs no pool of its own.
     */
    public static FetchHandler start(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs,
            Settings settings, InstantSource clock, Executor readExecutor) {
        return start(cache, logs, FollowerFetchRecorder.NONE, settings, clock, readExecutor, FollowerPositions.NONE);
    }

    /**
     * As {@link #start(MetadataCache, Function, Settings, InstantSource, Executor)}, with what this node knows of
     * the followers of the partitions it leads, from which the replica selector (if configured) picks a consumer's
     * preferred read replica.
     */
    public static FetchHandler start(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs,
            Settings settings, InstantSource clock, Executor readExecutor, FollowerPositions followers) {
        return start(cache, logs, FollowerFetchRecorder.NONE, settings, clock, readExecutor, followers);
    }

    /**
     * As {@link #start(MetadataCache, Function, Settings, InstantSource, Executor, FollowerPositions)}, telling
     * {@code followerFetches} of replica fetches.
     */
    public static FetchHandler start(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs,
            FollowerFetchRecorder followerFetches, Settings settings, InstantSource clock, Executor readExecutor,
            FollowerPositions followers) {
        return start(cache, logs, followerFetches, settings, clock, readExecutor, followers, null);
    }

    /**
     * As {@link #start(MetadataCache, Function, FollowerFetchRecorder, Settings, InstantSource, Executor,
     * FollowerPositions)}, with the leader's replication throttle (null: none).
     */
    public static FetchHandler start(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs,
            FollowerFetchRecorder followerFetches, Settings settings, InstantSource clock, Executor readExecutor,
            FollowerPositions followers, ReplicationQuota leaderQuota) {
        Optional<PreferredReadReplica> preferred = settings.rackAwareReplicaSelector()
                ? Optional.of(new PreferredReadReplica(new RackAwareReplicaSelector(), followers, clock))
                : Optional.empty();
        DelayedOperationPurgatory<DelayedFetch> purgatory = new DelayedOperationPurgatory<>("Fetch", clock);
        purgatory.start();
        FetchManager fetchManager = new FetchManager(new FetchSessionCache(settings.sessionCacheSlots(), clock));
        return new FetchHandler(cache, new PartitionReader(cache, logs, PartitionLog::read, preferred, leaderQuota),
                fetchManager,
                purgatory, readExecutor, settings.fetchMaxBytes(), purgatory::close, followerFetches, clock);
    }

    /** The executor that reads logs; ListOffsets shares it. */
    public Executor readExecutor() {
        return readExecutor;
    }

    /** The produce path calls this after a partition's high watermark moved, so waiting fetches can complete. */
    public void onPartitionChanged(TopicPartition topicPartition) {
        purgatory.checkAndComplete(topicPartition);
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        FetchRequestData body = (FetchRequestData) request.body();
        short version = request.apiVersion();
        // The dispatcher already runs handlers on the request handler pool: read here rather than hop to it again.
        return fetch(context, request.clientId(), body, version, context == null ? null : context.listenerName());
    }

    /**
     * Measures every consumer fetch's records against the client's quotas: a fetch over them is answered empty with
     * its throttle time ({@link FetchContext#throttledResponse}), as Kafka answers it. Call before the handler serves
     * requests.
     */
    public void useQuota(ConsumerFetchQuota quota) {
        this.quota = quota;
    }

    /**
     * Checks every fetch through {@code checks}: a follower's needs CLUSTER_ACTION, a consumer's READ on each topic
     * ({@link FetchAuthorization}). Call before the handler serves requests.
     */
    public void useAuthorization(io.fjord.broker.security.authorizer.RequestAuthorization checks) {
        this.authorization = new FetchAuthorization(checks);
    }

    private CompletableFuture<ApiMessage> fetch(RequestContext requestContext, String clientId, FetchRequestData body,
            short version, String listenerName) {
        MetadataImage image = cache.image();
        FetchContext context = fetchManager.newContext(body, version,
                topicId -> image.topic(topicId).map(TopicImage::name));
        if (context.sessionError() != Errors.NONE) {
            return CompletableFuture.completedFuture(context.updateAndGenerateResponse(Map.of()));
        }
        PartitionReader.FetchParameters parameters = parameters(body, version, listenerName);
        // Every partition of the session is checked on every fetch, so a revoked permission takes effect at once.
        Map<TopicPartition, FetchResponseData.PartitionData> denied = authorization.denied(requestContext,
                parameters.isFromFollower(), context.partitionsToRead());
        List<PartitionToFetch> partitions = FetchAuthorization.allowed(context.partitionsToRead(), denied);
        PartitionReader.ReadResult firstRead = FetchAuthorization.withDenied(reader.readAll(partitions, parameters),
                denied);
        if (parameters.isFromFollower()) {
            recordFollowerFetches(body, version, partitions, firstRead);
        }
        if (parameters.maxWaitMs() <= 0 || partitions.isEmpty() || firstRead.mustAnswerNow()
                || firstRead.recordBytes() >= parameters.minBytes() || shuttingDown) {
            reader.recordThrottledBytes(firstRead, parameters);
            return CompletableFuture.completedFuture(respond(requestContext, clientId, parameters, context,
                    firstRead));
        }
        firstRead.release();
        CompletableFuture<ApiMessage> response = new CompletableFuture<>();
        DelayedFetch[] self = new DelayedFetch[1];
        DelayedFetch delayed = new DelayedFetch(partitions, parameters, reader, satisfyingRead -> {
            waiting.remove(self[0]);
            if (satisfyingRead != null) {
                answerNow(requestContext, clientId, context, FetchAuthorization.withDenied(satisfyingRead, denied),
                        parameters, response);
            } else {
                answerLater(requestContext, clientId, context, partitions, denied, parameters, response);
            }
        });
        self[0] = delayed;
        List<TopicPartition> keys = new ArrayList<>(partitions.size());
        for (PartitionToFetch partition : partitions) {
            keys.add(partition.topicPartition());
        }
        waiting.add(delayed);
        purgatory.tryCompleteElseWatch(delayed, keys);
        if (shuttingDown || delayed.isCompleted()) {
            // A shutdown that began meanwhile may have missed it; a completed one must not linger in the set.
            waiting.remove(delayed);
            delayed.forceComplete();
        }
        return response;
    }

    /** The leader learns each follower position from the first read only, as Kafka (not again when a wait ends). */
    private void recordFollowerFetches(FetchRequestData body, short version, List<PartitionToFetch> partitions,
            PartitionReader.ReadResult read) {
        long brokerEpoch = version >= FetchManager.FIRST_REPLICA_STATE_VERSION ? body.replicaState().replicaEpoch()
                : -1;
        int replicaId = version >= FetchManager.FIRST_REPLICA_STATE_VERSION ? body.replicaState().replicaId()
                : body.replicaId();
        long nowMs = clock.millis();
        for (PartitionToFetch partition : partitions) {
            FetchResponseData.PartitionData data = read.partitions().get(partition.topicPartition());
            // A diverging follower's fetch offset is not a position in the leader's history (Kafka skips it too).
            if (data != null && data.errorCode() == Errors.NONE.code() && data.divergingEpoch().epoch() < 0) {
                followerFetches.recordFollowerFetch(replicaId, brokerEpoch, partition.topicPartition(),
                        partition.fetchOffset(), partition.logStartOffset(), nowMs);
            }
        }
    }

    /** Answers with the read that completed the wait, on the completing thread (no second read, no hop). */
    private void answerNow(RequestContext requestContext, String clientId, FetchContext context,
            PartitionReader.ReadResult read, PartitionReader.FetchParameters parameters,
            CompletableFuture<ApiMessage> response) {
        try {
            reader.recordThrottledBytes(read, parameters);
            response.complete(respond(requestContext, clientId, parameters, context, read));
        } catch (RuntimeException e) {
            response.completeExceptionally(e);
        }
    }

    private void answerLater(RequestContext requestContext, String clientId, FetchContext context,
            List<PartitionToFetch> partitions,
            Map<TopicPartition, FetchResponseData.PartitionData> denied, PartitionReader.FetchParameters parameters,
            CompletableFuture<ApiMessage> response) {
        try {
            readExecutor.execute(() -> {
                try {
                    PartitionReader.ReadResult read = FetchAuthorization.withDenied(
                            reader.readAll(partitions, parameters), denied);
                    reader.recordThrottledBytes(read, parameters);
                    response.complete(respond(requestContext, clientId, parameters, context, read));
                } catch (RuntimeException e) {
                    response.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("Cannot answer a delayed fetch (shutting down?)", e);
            response.completeExceptionally(e);
        }
    }

    /** The response; a consumer's over its quota is answered empty and what was read is released (Kafka's rule). */
    private FetchResponseData respond(RequestContext requestContext, String clientId,
            PartitionReader.FetchParameters parameters, FetchContext context, PartitionReader.ReadResult result) {
        if (!parameters.isFromFollower() && requestContext != null) {
            int throttleTimeMs = quota.recordAndGetThrottleTimeMs(requestContext, clientId, result.recordBytes());
            if (throttleTimeMs > 0) {
                result.release();
                return context.throttledResponse(throttleTimeMs);
            }
        }
        try {
            return context.updateAndGenerateResponse(result.partitions());
        } catch (RuntimeException e) {
            result.release();
            throw e;
        }
    }

    private PartitionReader.FetchParameters parameters(FetchRequestData body, short version, String listenerName) {
        int replicaId = version >= FetchManager.FIRST_REPLICA_STATE_VERSION ? body.replicaState().replicaId()
                : body.replicaId();
        int maxBytes = Math.min(body.maxBytes(), fetchMaxBytes);
        int minBytes = Math.min(body.minBytes(), maxBytes);
        // From v11 a consumer says where it is (KIP-392), and may therefore read from a follower.
        PartitionReader.ClientMetadata client = version >= FIRST_CLIENT_METADATA_VERSION
                ? new PartitionReader.ClientMetadata(body.rackId(), listenerName) : null;
        return new PartitionReader.FetchParameters(replicaId, body.maxWaitMs(), minBytes, maxBytes,
                body.isolationLevel(), client);
    }

    /**
     * Answers every waiting fetch now with what is there, and every later one without waiting, so that a node
     * stopping need not wait for long polls to time out. Call before the socket server drains requests in flight.
     */
    public void beginShutdown() {
        shuttingDown = true;
        for (DelayedFetch delayed : waiting) {
            delayed.forceComplete();
        }
    }

    /** Stops the purgatory and the read executor if this handler owns them. Fetches still waiting stay unanswered. */
    @Override
    public void close() {
        try {
            owned.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Stopping the fetch handler failed", e);
        }
    }
}
