package io.fjord.metadata.quorum;

import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.raft.KraftVersionUpgrade;
import io.fjord.raft.LogEntry;
import io.fjord.raft.VoterEndpoint;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.VoterSet;
import io.fjord.raft.driver.DriverStatus;
import io.fjord.raft.driver.MessageSender;
import io.fjord.raft.driver.QuorumDescription;
import io.fjord.raft.driver.RaftDriver;
import io.fjord.raft.storage.DiskRaftStorage;
import io.fjord.raft.transport.ControllerRequestHandler;
import io.fjord.raft.transport.DynamicQuorum;
import io.fjord.raft.transport.RaftMessageMapper;
import io.fjord.raft.transport.RaftTransport;
import io.fjord.raft.transport.TransportConfig;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A node's part of the metadata quorum: the Raft log and quorum state in the metadata directory
 * ({@link DiskRaftStorage}), the {@link RaftDriver}, the {@link MetadataLoader} that applies what commits, and, on
 * a voter, the {@link QuorumController}. A directory written before the quorum existed is upgraded first
 * ({@link LegacyMetadataLogUpgrade}).
 *
 * <p>Thread-safety: start and close are serialized on this object; the parts are thread-safe.
 */
public final class MetadataQuorum implements AutoCloseable {
    /** The largest entry: one operation's records, Kafka's maximum metadata batch size. */
    static final int ENTRY_BYTES_MAX = OperationLimits.RECORD_BYTES_PER_OPERATION_MAX;

    private final Path metadataDirectory;
    private final RaftDriver driver;
    /** The Raft transport on the controller listener; null for a quorum of one without one. */
    private final RaftTransport transport;
    private final MetadataLoader loader;
    private final QuorumController controller;
    private boolean started;

    /**
     * @param sender the transport to the other voters (a quorum of one sends nothing)
     * @param commitWaitMs the controller's liveness bound for one operation
     */
    public MetadataQuorum(int nodeId, Set<Integer> voterIds, Path metadataDirectory, MessageSender sender,
            long commitWaitMs) {
        this(nodeId, voterIds, metadataDirectory, sender, commitWaitMs, MetadataSnapshotPolicy.defaults());
    }

    /**
     * @param sender the transport to the other voters (a quorum of one sends nothing)
     * @param commitWaitMs the controller's liveness bound for one operation
     * @param snapshotPolicy when the loader snapshots what it applied (Kafka's
     *                       {@code metadata.log.max.record.bytes.between.snapshots} and
     *                       {@code metadata.log.max.snapshot.interval.ms})
     */
    public MetadataQuorum(int nodeId, Set<Integer> voterIds, Path metadataDirectory, MessageSender sender,
            long commitWaitMs, MetadataSnapshotPolicy snapshotPolicy) {
        this(withEntryBound(RaftConfig.withDefaults(nodeId, voterIds)), metadataDirectory, sender, null,
                commitWaitMs, snapshotPolicy, ControllerRequestHandler.NONE);
    }

    private MetadataQuorum(RaftConfig raftConfig, Path metadataDirectory, MessageSender sender,
            TransportConfig transportConfig, long commitWaitMs, MetadataSnapshotPolicy snapshotPolicy,
            ControllerRequestHandler controllerRequests) {
        RaftConfig config = withOwnEndpoint(raftConfig, transportConfig);
        this.metadataDirectory = metadataDirectory;
        this.loader = new MetadataLoader(config.nodeId(), snapshotPolicy, () -> System.nanoTime() / 1_000_000);
        // The driver sends through the transport and the transport delivers to the driver: the driver's sender
        // reads the transport from this holder, filled before start() (Thread.start publishes it).
        RaftTransport[] holder = new RaftTransport[1];
        MessageSender out = transportConfig == null ? sender : new MessageSender() {
            @Override
            public void send(io.fjord.raft.RaftMessage message) {
                holder[0].send(message);
            }

            @Override
            public void votersChanged(VoterSet voters) {
                holder[0].votersChanged(voters);
            }
        };
        this.driver = RaftDriver.create(config, new DiskRaftStorage(metadataDirectory, config.voterIds(),
                ENTRY_BYTES_MAX), out, loader);
        loader.snapshotWriter(driver::createSnapshot);
        if (transportConfig != null) {
            DynamicQuorum dynamic = transportConfig.dynamicQuorum();
            InetSocketAddress own = dynamic != null ? dynamic.advertisedAddress() : transportConfig.listenAddress();
            RaftMessageMapper mapper = new RaftMessageMapper(config.nodeId(), transportConfig.clusterId(),
                    config.voterIds(), ENTRY_BYTES_MAX, config.fetchMaxBytes() / LogEntry.OVERHEAD_BYTES + 1,
                    own == null ? "" : own.getHostString(), own == null ? -1 : own.getPort(),
                    dynamic != null ? dynamic.listenerName() : RaftMessageMapper.LISTENER_NAME);
            holder[0] = new RaftTransport(config.nodeId(), transportConfig, mapper, driver::deliver,
                    driver::describeQuorum, driver::peerUnreachable, controllerRequests);
        }
        this.transport = holder[0];
        this.controller = new QuorumController(config.nodeId(), driver, loader, commitWaitMs);
    }

    /**
     * A node's part of a quorum over the network: its Raft transport listens on {@code transport}'s listen address
     * (a voter's controller listener; none for an observer) and connects to the voters there.
     *
     * @param raft the node id, the voters and Kafka's {@code controller.quorum.*} timeouts
     * @param controllerRequests what the controller listener does with forwarded controller requests (the node's
     *     controller; {@link ControllerRequestHandler#NONE} on a node without one)
     */
    public static MetadataQuorum networked(RaftConfig raft, TransportConfig transport, Path metadataDirectory,
            long commitWaitMs, MetadataSnapshotPolicy snapshotPolicy, ControllerRequestHandler controllerRequests) {
        return new MetadataQuorum(withEntryBound(raft), metadataDirectory, null, transport, commitWaitMs,
                snapshotPolicy, controllerRequests);
    }

    /**
     * A voter's own controller endpoint (KIP-853: what it sends the leader in UpdateRaftVoter and writes for itself
     * when it leads): its advertised one in a dynamic quorum, its {@code controller.quorum.voters} entry in a static
     * one; none for a node without a controller listener.
     */
    private static RaftConfig withOwnEndpoint(RaftConfig config, TransportConfig transport) {
        if (transport == null || transport.listenAddress() == null) {
            return config;
        }
        DynamicQuorum dynamic = transport.dynamicQuorum();
        InetSocketAddress own = dynamic != null ? dynamic.advertisedAddress()
                : transport.voterAddresses().getOrDefault(config.nodeId(), transport.listenAddress());
        if (own == null || own.getPort() <= 0) {
            return config;
        }
        String listenerName = dynamic != null ? dynamic.listenerName() : RaftMessageMapper.LISTENER_NAME;
        return config.withLocalEndpoints(List.of(new VoterEndpoint(listenerName, own.getHostString(),
                own.getPort())));
    }

    /** An operation's records are one entry, up to Kafka's 8 MiB metadata batches. */
    private static RaftConfig withEntryBound(RaftConfig config) {
        return new RaftConfig(config.nodeId(), config.voterIds(), config.electionTimeoutMs(),
                config.fetchTimeoutMs(), config.electionBackoffMaxMs(), config.requestTimeoutMs(),
                config.fetchMaxWaitMs(), config.fetchMaxBytes(), config.maxProposalEntries(), ENTRY_BYTES_MAX,
                config.bootstrapServerCount(), config.localEndpoints());
    }

    /** The quorum of one a single node runs: it is its own only voter and sends nothing. */
    public static MetadataQuorum standalone(int nodeId, Path metadataDirectory, long commitWaitMs) {
        return standalone(nodeId, metadataDirectory, commitWaitMs, MetadataSnapshotPolicy.defaults());
    }

    /** The quorum of one, snapshotting by {@code snapshotPolicy}. */
    public static MetadataQuorum standalone(int nodeId, Path metadataDirectory, long commitWaitMs,
            MetadataSnapshotPolicy snapshotPolicy) {
        return new MetadataQuorum(nodeId, Set.of(nodeId), metadataDirectory, message -> {
        }, commitWaitMs, snapshotPolicy);
    }

    /** Upgrades an old metadata log if there is one, then starts the loader, the driver and the controller. */
    public synchronized void start() throws IOException {
        LegacyMetadataLogUpgrade.run(metadataDirectory);
        loader.start();
        started = true;
        if (transport != null) {
            try {
                transport.start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while binding the controller listener", e);
            }
        }
        driver.start();
        controller.start();
    }

    /**
     * Waits until a leader is known and this node has applied everything committed before the leader's epoch began,
     * and returns that image (the image a node starts serving from).
     */
    public MetadataImage awaitCaughtUp(long timeoutMs) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            DriverStatus status = driver.status();
            if (status.failure() != null) {
                throw new IllegalStateException("the metadata quorum stopped: " + status.failure());
            }
            if (loader.failure() != null) {
                throw new IllegalStateException("the metadata loader stopped", loader.failure());
            }
            long leftNanos = deadline - System.nanoTime();
            if (leftNanos <= 0) {
                throw new TimeoutException("no metadata leader within " + timeoutMs + " ms (" + status + ")");
            }
            if (status.leaderId() >= 0) {
                CompletableFuture<MetadataImage> caughtUp = loader.awaitLeaderChange(status.epoch());
                try {
                    return caughtUp.get(Math.min(leftNanos, TimeUnit.MILLISECONDS.toNanos(100)),
                            TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    continue; // the epoch may have moved on: read the status again
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the metadata loader stopped", e.getCause());
                }
            }
            Thread.sleep(Math.min(10, Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNanos))));
        }
    }

    /** The controller listener's bound address (its real port when configured with 0); null without one. */
    public InetSocketAddress boundAddress() {
        return transport == null ? null : transport.boundAddress();
    }

    public MetadataLoader loader() {
        return loader;
    }

    public QuorumController controller() {
        return controller;
    }

    public DriverStatus status() {
        return driver.status();
    }

    /** The voter set in force on this node (its log's latest; empty while a dynamic quorum's are not known yet). */
    public VoterSet voters() {
        VoterSet voters = driver.voters();
        return voters == null ? VoterSet.UNKNOWN : voters;
    }

    /**
     * Where voter {@code id}'s controller listener is, as this node's Raft transport knows it (from the voter set
     * or the leader's answers); null if unknown or without a transport.
     */
    public InetSocketAddress voterAddress(int id) {
        return transport == null ? null : transport.addressOf(id);
    }

    /** The quorum's {@code kraft.version} as this node's log has it (KIP-853). */
    public short kraftVersion() {
        return driver.kraftVersion();
    }

    /** Upgrades the quorum's {@code kraft.version} if this node leads; see {@link RaftDriver#upgradeKraftVersion}. */
    public CompletableFuture<KraftVersionUpgrade> upgradeKraftVersion(short level, boolean validateOnly) {
        return driver.upgradeKraftVersion(level, validateOnly);
    }

    /** What this node knows of the quorum if it leads (DescribeQuorum); fails with NOT_LEADER_OR_FOLLOWER if not. */
    public CompletableFuture<QuorumDescription> describeQuorum() {
        return driver.describeQuorum();
    }

    /** Stops the controller, then the driver (unflushed entries dropped, as in a crash), then the loader. */
    @Override
    public synchronized void close() throws IOException {
        controller.close();
        try {
            driver.close();
        } finally {
            if (transport != null) {
                transport.close();
            }
            if (started) {
                loader.close();
            }
        }
    }
}
