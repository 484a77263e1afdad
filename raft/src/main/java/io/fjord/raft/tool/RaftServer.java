package io.fjord.raft.tool;

import io.fjord.protocol.Errors;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.VoterSet;
import io.fjord.raft.driver.DriverStatus;
import io.fjord.raft.driver.QuorumDescription;
import io.fjord.raft.driver.RaftDriver;
import io.fjord.raft.driver.RaftListener;
import io.fjord.raft.storage.DiskRaftStorage;
import io.fjord.raft.transport.RaftMessageMapper;
import io.fjord.raft.transport.RaftTransport;
import io.fjord.raft.transport.TransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One Raft node with its IO edge assembled: {@link DiskRaftStorage} in a data directory, a {@link RaftDriver} and a
 * {@link RaftTransport} on the node's controller listener. Used by {@link RaftServerMain}, the process test and the
 * benchmark; the metadata quorum of a Fjord node will assemble the same pieces.
 *
 * <p>Thread-safe as its parts are. {@link #start()} starts them (the constructor does nothing).
 */
public final class RaftServer implements AutoCloseable {
    private final RaftConfig config;
    private final RaftDriver driver;
    private final RaftTransport transport;

    public RaftServer(RaftConfig config, TransportConfig transportConfig, Path dataDirectory, RaftListener listener) {
        this.config = config;
        InetSocketAddress own = transportConfig.listenAddress();
        RaftMessageMapper mapper = new RaftMessageMapper(config.nodeId(), transportConfig.clusterId(),
                config.voterIds(), config.maxEntryBytes(), maxEntriesPerFetch(config), own.getHostString(),
                own.getPort());
        DiskRaftStorage storage = new DiskRaftStorage(dataDirectory, config.voterIds(), config.maxEntryBytes());
        // The driver sends through the transport and the transport delivers to the driver: the driver's sender
        // reads the transport from this holder, filled before start() (Thread.start publishes it).
        RaftTransport[] transportHolder = new RaftTransport[1];
        this.driver = RaftDriver.create(config, storage, message -> transportHolder[0].send(message), listener);
        this.transport = new RaftTransport(config.nodeId(), transportConfig, mapper, driver::deliver,
                driver::describeQuorum, driver::peerUnreachable);
        transportHolder[0] = transport;
    }

    /** A leader fills a fetch answer up to fetchMaxBytes counting each entry as at least its overhead. */
    static int maxEntriesPerFetch(RaftConfig config) {
        return config.fetchMaxBytes() / LogEntry.OVERHEAD_BYTES + 1;
    }

    /** Binds the listener, connects to the peers, recovers the storage and starts the driver. */
    public void start() throws IOException, InterruptedException {
        transport.start();
        driver.start();
    }

    public CompletableFuture<Long> propose(List<byte[]> payloads) {
        return driver.propose(payloads);
    }

    /** Saves a snapshot of the state machine's {@code state} after the entries below {@code offset}; see the driver. */
    public CompletableFuture<OffsetAndEpoch> createSnapshot(long offset, byte[] state) {
        return driver.createSnapshot(offset, state);
    }

    /** Makes observer ({@code voterId}, {@code directoryId}) a voter if this node leads; see the driver. */
    public CompletableFuture<Errors> addVoter(int voterId, UUID directoryId, int timeoutMs) {
        return driver.addVoter(voterId, directoryId, timeoutMs);
    }

    /** Removes voter ({@code voterId}, {@code directoryId}) if this node leads; see the driver. */
    public CompletableFuture<Errors> removeVoter(int voterId, UUID directoryId) {
        return driver.removeVoter(voterId, directoryId);
    }

    /** This node's log directory id, from its {@code meta.properties} (known once started). */
    public UUID directoryId() {
        return driver.directoryId();
    }

    /** The voter set in force on this node. */
    public VoterSet voters() {
        return driver.voters();
    }

    public CompletableFuture<QuorumDescription> describeQuorum() {
        return driver.describeQuorum();
    }

    public DriverStatus status() {
        return driver.status();
    }

    public int nodeId() {
        return config.nodeId();
    }

    /** Stops like a crash as far as the quorum can tell: no resignation is sent, unflushed data is dropped. */
    @Override
    public void close() throws IOException {
        try {
            driver.close();
        } finally {
            transport.close();
        }
    }
}
