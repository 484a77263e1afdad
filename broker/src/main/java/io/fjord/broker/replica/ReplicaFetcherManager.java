package io.fjord.broker.replica;

import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The replica fetchers of a node (Kafka's ReplicaFetcherManager): each followed partition goes to the fetcher of its
 * leader and fetcher index ({@code hash(partition) % num.replica.fetchers}, Kafka's rule), one {@link ReplicaFetcher}
 * (thread and connection) per such pair, made when a partition first needs it and stopped when it has none left.
 *
 * <p>Thread-safe: every method is synchronized; {@link #removePartitions} returns once the fetcher has let go.
 * {@link #start()} starts the network and the fetchers (none in the constructor); {@link #close()} stops them.
 */
public final class ReplicaFetcherManager implements ReplicaFetching {
    private record FetcherKey(int leaderId, int fetcherIndex) {
    }

    private final int localId;
    private final LongSupplier brokerEpoch;
    private final ReplicaFetcherConfig config;
    private final Function<TopicPartition, Optional<PartitionLog>> logs;
    private final LeaderEndpoints endpoints;
    private final Consumer<TopicPartition> partitionChanged;
    private final InstantSource clock;
    private final LogTruncation truncation;
    private final ReplicationQuota quota;
    private final Map<FetcherKey, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<TopicPartition, FetcherKey> assignments = new HashMap<>();
    private boolean started;
    private boolean closed;

    /**
     * @param localId this node's id (the replica id of its fetches)
     * @param brokerEpoch this broker's current epoch (ReplicaState's replica epoch), -1 while unregistered
     * @param logs a partition's log on this node
     * @param endpoints how each fetcher reaches its leader; started and closed with this manager
     * @param partitionChanged told (off the lock) of each partition whose log grew, was truncated or got a new high
     *     watermark, so that fetches waiting on it look again; called on a fetcher thread, it must not call back
     *     into this manager
     */
    public ReplicaFetcherManager(int localId, LongSupplier brokerEpoch, ReplicaFetcherConfig config,
            Function<TopicPartition, Optional<PartitionLog>> logs, LeaderEndpoints endpoints,
            Consumer<TopicPartition> partitionChanged, InstantSource clock) {
        this(localId, brokerEpoch, config, logs, endpoints, partitionChanged, clock,
                new ReplicationQuota(1, 1000, clock));
    }

    /** As above, with the follower's replication throttle, which every fetcher applies. */
    public ReplicaFetcherManager(int localId, LongSupplier brokerEpoch, ReplicaFetcherConfig config,
            Function<TopicPartition, Optional<PartitionLog>> logs, LeaderEndpoints endpoints,
            Consumer<TopicPartition> partitionChanged, InstantSource clock, ReplicationQuota quota) {
        this(localId, brokerEpoch, config, logs, endpoints, partitionChanged, clock, quota, LogTruncation.DIRECT);
    }

    /** As above, the fetchers truncating logs through {@code truncation} (a node's log manager). */
    public ReplicaFetcherManager(int localId, LongSupplier brokerEpoch, ReplicaFetcherConfig config,
            Function<TopicPartition, Optional<PartitionLog>> logs, LeaderEndpoints endpoints,
            Consumer<TopicPartition> partitionChanged, InstantSource clock, ReplicationQuota quota,
            LogTruncation truncation) {
        this.truncation = truncation;
        this.quota = quota;
        this.localId = localId;
        this.brokerEpoch = brokerEpoch;
        this.config = config;
        this.logs = logs;
        this.endpoints = endpoints;
        this.partitionChanged = partitionChanged;
        this.clock = clock;
    }

    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        endpoints.start();
        fetchers.values().forEach(ReplicaFetcher::start);
    }

    @Override
    public synchronized void addPartitions(Map<TopicPartition, InitialFetchState> partitions) {
        if (closed) {
            return;
        }
        Map<FetcherKey, Map<TopicPartition, InitialFetchState>> byFetcher = new HashMap<>();
        Map<FetcherKey, Set<TopicPartition>> moving = new HashMap<>();
        partitions.forEach((partition, initial) -> {
            FetcherKey key = new FetcherKey(initial.leaderId(), fetcherIndex(partition,
                    config.fetchersPerSourceBroker()));
            FetcherKey previous = assignments.get(partition);
            if (previous != null && !previous.equals(key)) {
                moving.computeIfAbsent(previous, unused -> new HashSet<>()).add(partition);
            }
            byFetcher.computeIfAbsent(key, unused -> new HashMap<>()).put(partition, initial);
        });
        // A partition whose leader changed leaves its old fetcher before the new one fetches it.
        moving.forEach((key, moved) -> fetchers.get(key).removePartitions(moved));
        byFetcher.forEach((key, added) -> {
            fetcher(key).addPartitions(added);
            added.keySet().forEach(partition -> assignments.put(partition, key));
        });
        shutdownIdleFetchers();
    }

    @Override
    public synchronized void removePartitions(Set<TopicPartition> partitions) {
        Map<FetcherKey, Set<TopicPartition>> byFetcher = new HashMap<>();
        for (TopicPartition partition : partitions) {
            FetcherKey key = assignments.remove(partition);
            if (key != null) {
                byFetcher.computeIfAbsent(key, unused -> new HashSet<>()).add(partition);
            }
        }
        byFetcher.forEach((key, removed) -> fetchers.get(key).removePartitions(removed));
        shutdownIdleFetchers();
    }

    /** The partitions followed, with their leaders; for tests and tools. */
    public synchronized Map<TopicPartition, Integer> leaders() {
        Map<TopicPartition, Integer> result = new HashMap<>();
        assignments.forEach((partition, key) -> result.put(partition, key.leaderId()));
        return result;
    }

    /** The fetchers now; a simulation steps them round by round instead of starting their threads. */
    synchronized List<ReplicaFetcher> fetchers() {
        return List.copyOf(fetchers.values());
    }

    /** The number of running fetchers; for tests. */
    synchronized int fetcherCount() {
        return fetchers.size();
    }

    /** Whether the partition waits for the replica manager to add it again (fenced, or its log failed). */
    public synchronized boolean isParked(TopicPartition partition) {
        FetcherKey key = assignments.get(partition);
        return key != null && fetchers.get(key).isParked(partition);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        fetchers.values().forEach(ReplicaFetcher::shutdown);
        fetchers.clear();
        assignments.clear();
        endpoints.close();
    }

    /** Kafka's fetcher id: {@code abs(31 * hash(topic) + partition) % fetchers}. */
    static int fetcherIndex(TopicPartition partition, int fetchersPerSourceBroker) {
        int hash = 31 * partition.topic().hashCode() + partition.partition();
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % fetchersPerSourceBroker;
    }

    private ReplicaFetcher fetcher(FetcherKey key) {
        ReplicaFetcher fetcher = fetchers.get(key);
        if (fetcher == null) {
            fetcher = new ReplicaFetcher(key.leaderId(), key.fetcherIndex(), localId, brokerEpoch, config, logs,
                    endpoints.endpoint(key.leaderId(), key.fetcherIndex()), partitionChanged, clock, quota, truncation);
            fetchers.put(key, fetcher);
            if (started) {
                fetcher.start();
            }
        }
        return fetcher;
    }

    private void shutdownIdleFetchers() {
        List<FetcherKey> idle = new ArrayList<>();
        fetchers.forEach((key, fetcher) -> {
            if (fetcher.partitionCount() == 0) {
                idle.add(key);
            }
        });
        for (FetcherKey key : idle) {
            fetchers.remove(key).shutdown();
        }
    }
}
