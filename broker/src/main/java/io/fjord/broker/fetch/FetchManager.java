package io.fjord.broker.fetch;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchRequestData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Turns Fetch requests into {@link FetchContext}s through the {@link FetchSessionCache} (KIP-227):
 * <ul>
 *   <li>epoch -1 ({@code FINAL_EPOCH}): a sessionless full fetch; a session id given is closed;</li>
 *   <li>epoch 0 ({@code INITIAL_EPOCH}): a full fetch that creates a new session; a session id given is closed;</li>
 *   <li>any other epoch: an incremental fetch of the session: FETCH_SESSION_ID_NOT_FOUND if the id is unknown,
 *       INVALID_FETCH_SESSION_EPOCH unless the epoch is the one the session expects next, FETCH_SESSION_TOPIC_ID_ERROR
 *       if the request uses topic ids (v13+) and the session did not, or the other way round. Otherwise the request's
 *       partitions are added or updated (fetch offset, log start offset, max bytes, epochs), then its forgotten
 *       partitions removed, and the epoch moves on. A session left empty is closed and the fetch is sessionless.</li>
 * </ul>
 * From Fetch v13 topics are identified by id; names come from the resolver, per request, so topics created or
 * deleted since the session began are seen. Partitions of unknown ids are answered with UNKNOWN_TOPIC_ID.
 *
 * <p>Thread-safe: holds the cache's monitor, then the session's, while it changes a session.
 */
public final class FetchManager {
    /** The first Fetch version that names topics by id. */
    public static final short FIRST_TOPIC_ID_VERSION = 13;
    /** The first Fetch version that carries the replica id in {@code ReplicaState}. */
    public static final short FIRST_REPLICA_STATE_VERSION = 15;

    private final FetchSessionCache cache;

    public FetchManager(FetchSessionCache cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    /**
     * @param request the decoded Fetch request (not changed)
     * @param apiVersion its version
     * @param topicNames the current topic names by id (used for v13 and later)
     */
    public FetchContext newContext(FetchRequestData request, short apiVersion,
            Function<UUID, Optional<String>> topicNames) {
        boolean usesTopicIds = apiVersion >= FIRST_TOPIC_ID_VERSION;
        int sessionId = request.sessionId();
        int epoch = request.sessionEpoch();
        if (epoch == FetchSessionEpochs.INITIAL_EPOCH || epoch == FetchSessionEpochs.FINAL_EPOCH) {
            if (sessionId != FetchSessionEpochs.INVALID_SESSION_ID) {
                cache.remove(sessionId);
            }
            LinkedHashMap<SessionPartitionKey, CachedPartition> partitions = new LinkedHashMap<>();
            addOrUpdate(partitions, request, usesTopicIds, topicNames);
            if (epoch == FetchSessionEpochs.FINAL_EPOCH) {
                return new SessionlessFetchContext(partitions);
            }
            return new FullFetchContext(cache, partitions, isFromFollower(request, apiVersion), usesTopicIds);
        }
        synchronized (cache) {
            FetchSession session = cache.get(sessionId);
            if (session == null) {
                return new SessionErrorContext(Errors.FETCH_SESSION_ID_NOT_FOUND);
            }
            synchronized (session) {
                if (session.epoch() != epoch) {
                    return new SessionErrorContext(Errors.INVALID_FETCH_SESSION_EPOCH);
                }
                if (session.usesTopicIds != usesTopicIds) {
                    return new SessionErrorContext(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
                }
                LinkedHashMap<SessionPartitionKey, CachedPartition> partitions = session.partitionsLocked();
                addOrUpdate(partitions, request, usesTopicIds, topicNames);
                forget(partitions, request, usesTopicIds);
                if (usesTopicIds) {
                    for (CachedPartition partition : partitions.values()) {
                        partition.resolvedTopicName = resolve(partition.key.topicId(), topicNames);
                    }
                }
                if (partitions.isEmpty()) {
                    cache.remove(session.id);
                    return new SessionlessFetchContext(new LinkedHashMap<>());
                }
                cache.touch(session, cache.clock().millis());
                session.advanceEpoch();
                List<PartitionToFetch> toRead = FetchResponseAssembler.readable(new ArrayList<>(partitions.values()));
                return new IncrementalFetchContext(session, session.epoch(), toRead);
            }
        }
    }

    public FetchSessionCache cache() {
        return cache;
    }

    /**
     * A follower (a replica id of 0 or more: in the body before v15, in ReplicaState from v15) fetches for
     * replication; its session is worth more than a consumer's, and the dispatcher serves it on the network thread.
     */
    public static boolean isFromFollower(FetchRequestData request, short apiVersion) {
        int replicaId = apiVersion >= FIRST_REPLICA_STATE_VERSION ? request.replicaState().replicaId() : request.replicaId();
        return replicaId >= 0;
    }

    private static void addOrUpdate(LinkedHashMap<SessionPartitionKey, CachedPartition> partitions,
            FetchRequestData request, boolean usesTopicIds, Function<UUID, Optional<String>> topicNames) {
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            String name = usesTopicIds ? resolve(topic.topicId(), topicNames) : topic.topic();
            for (FetchRequestData.FetchPartition fetchPartition : topic.partitions()) {
                SessionPartitionKey key = usesTopicIds
                        ? SessionPartitionKey.byId(topic.topicId(), fetchPartition.partition())
                        : SessionPartitionKey.byName(topic.topic(), fetchPartition.partition());
                CachedPartition existing = partitions.get(key);
                if (existing != null) {
                    existing.updateRequestParameters(fetchPartition);
                    existing.resolvedTopicName = name;
                } else {
                    partitions.put(key, new CachedPartition(key, name, fetchPartition));
                }
            }
        }
    }

    private static void forget(LinkedHashMap<SessionPartitionKey, CachedPartition> partitions,
            FetchRequestData request, boolean usesTopicIds) {
        for (FetchRequestData.ForgottenTopic topic : request.forgottenTopicsData()) {
            for (int partition : topic.partitions()) {
                partitions.remove(usesTopicIds
                        ? SessionPartitionKey.byId(topic.topicId(), partition)
                        : SessionPartitionKey.byName(topic.topic(), partition));
            }
        }
    }

    private static String resolve(UUID topicId, Function<UUID, Optional<String>> topicNames) {
        if (topicId == null || SessionPartitionKey.ZERO_UUID.equals(topicId)) {
            return null;
        }
        return topicNames.apply(topicId).orElse(null);
    }
}
