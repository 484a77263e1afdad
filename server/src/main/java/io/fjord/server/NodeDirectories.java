package io.fjord.server;

import io.fjord.metadata.quorum.BootstrapCheckpoint;
import io.fjord.raft.VoterSet;
import io.fjord.storage.Base64Uuids;
import io.fjord.storage.MetaProperties;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's data directories ({@code log.dirs} and {@code metadata.log.dir}) and their {@code meta.properties}:
 * {@code fjord format} writes them ({@link #format}), {@code fjord start} checks them, formatting empty ones itself
 * ({@link #formatOrCheck}). Every failure is an {@link IllegalStateException} whose message is one line naming the
 * directory or file.
 *
 * <p>Not thread-safe: one command or one node start uses an instance at a time.
 */
final class NodeDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(NodeDirectories.class);

    private final NodeConfig config;
    private final Supplier<UUID> randomUuids;
    /** Directory ids in use by this node, so that each directory gets its own (as Kafka does). */
    private final Set<UUID> directoryIds = new HashSet<>();

    NodeDirectories(NodeConfig config, Supplier<UUID> randomUuids) {
        this.config = config;
        this.randomUuids = randomUuids;
    }

    /**
     * {@code fjord format}: writes {@code cluster.id}, {@code node.id} and a fresh {@code directory.id} into every
     * directory, refusing (as {@code kafka-storage format}) when one is formatted already, unless
     * {@code ignoreFormatted}: then formatted directories are left alone if they belong to this cluster and node.
     *
     * @param out where the lines saying what was formatted go
     */
    void format(String clusterId, boolean ignoreFormatted, PrintStream out) {
        format(clusterId, ignoreFormatted, out, null, null);
    }

    /**
     * As {@link #format(String, boolean, PrintStream)}, for a controller of a dynamic quorum (KIP-853): the metadata
     * directory gets directory id {@code metadataDirectoryId} (if not null) and, when {@code bootstrapVoters} is not
     * null, the bootstrap checkpoint holding those initial voters ({@code --standalone}, {@code
     * --initial-controllers}).
     */
    void format(String clusterId, boolean ignoreFormatted, PrintStream out, UUID metadataDirectoryId,
            VoterSet bootstrapVoters) {
        try {
            Base64Uuids.decode(clusterId);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Cluster ID string " + clusterId + " does not appear to be a valid UUID: "
                    + e.getMessage(), e);
        }
        Map<Path, Optional<MetaProperties>> found = readAll();
        List<Path> unformatted = new ArrayList<>();
        for (Map.Entry<Path, Optional<MetaProperties>> entry : found.entrySet()) {
            if (entry.getValue().isEmpty()) {
                unformatted.add(entry.getKey());
                continue;
            }
            String existingClusterId = entry.getValue().get().clusterId().orElseThrow();
            if (!existingClusterId.equals(clusterId)) {
                throw new IllegalStateException("cluster.id " + existingClusterId + " in " + file(entry.getKey())
                        + " does not match the cluster id to format, " + clusterId);
            }
            if (!ignoreFormatted) {
                throw new IllegalStateException("Log directory " + entry.getKey() + " is already formatted. "
                        + "Use --ignore-formatted to ignore this directory and format the others.");
            }
        }
        if (unformatted.isEmpty()) {
            out.println("All of the log directories are already formatted.");
            return;
        }
        for (Path directory : unformatted) {
            boolean metadata = directory.equals(config.metadataLogDirectory());
            UUID directoryId = metadata && metadataDirectoryId != null ? metadataDirectoryId : newDirectoryId();
            MetaProperties identity = MetaProperties.of(clusterId, config.nodeId(), directoryId);
            boolean voters = metadata && bootstrapVoters != null;
            out.println("Formatting " + (voters ? "dynamic metadata voter" : metadata ? "metadata" : "data")
                    + " directory " + directory + " for cluster " + clusterId + " as node " + config.nodeId()
                    + " (directory.id " + Base64Uuids.encode(directoryId) + ").");
            if (voters) {
                // The checkpoint first: meta.properties marks the directory formatted, so a crash in between
                // leaves it to format again.
                try {
                    BootstrapCheckpoint.write(directory, bootstrapVoters);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot write the bootstrap checkpoint in " + directory + ": "
                            + IoErrors.reason(e), e);
                }
            }
            write(directory, identity);
        }
    }

    /**
     * {@code fjord start}: checks that the formatted directories belong to this node and to one cluster, and formats
     * the others: with that cluster's id, or with a new one when none is formatted (the zero-configuration start).
     *
     * @return this node's identity: its cluster id and node id (each directory has its own directory id)
     */
    MetaProperties formatOrCheck() {
        Map<Path, Optional<MetaProperties>> found = readAll();
        Optional<String> clusterId = Optional.empty();
        Path clusterIdFile = null;
        for (Map.Entry<Path, Optional<MetaProperties>> entry : found.entrySet()) {
            if (entry.getValue().isEmpty()) {
                continue;
            }
            String existing = entry.getValue().get().clusterId().orElseThrow();
            if (clusterId.isPresent() && !clusterId.get().equals(existing)) {
                throw new IllegalStateException("cluster.id " + existing + " in " + file(entry.getKey())
                        + " does not match cluster.id " + clusterId.get() + " in " + clusterIdFile);
            }
            clusterId = Optional.of(existing);
            clusterIdFile = file(entry.getKey());
        }
        boolean newCluster = clusterId.isEmpty();
        if (newCluster && !config.quorum().isStandalone()) {
            // Every node of a cluster must carry the same cluster id, or the quorum refuses its requests: only a
            // quorum of one may make up its own (as Kafka's brokers and controllers need kafka-storage format).
            throw new IllegalStateException("no formatted data directory in " + found.keySet() + ": a node of a"
                    + " multi-node cluster is formatted first with fjord format --cluster-id ID --config FILE, the"
                    + " same ID on every node (fjord random-uuid makes one)");
        }
        String identityClusterId = clusterId.orElseGet(() -> Base64Uuids.encode(Base64Uuids.random(randomUuids)));
        for (Map.Entry<Path, Optional<MetaProperties>> entry : found.entrySet()) {
            if (entry.getValue().isEmpty()) {
                write(entry.getKey(), MetaProperties.of(identityClusterId, config.nodeId(), newDirectoryId()));
                if (newCluster) {
                    LOG.info("Formatted {} for cluster {}, node {}", entry.getKey(), identityClusterId,
                            config.nodeId());
                }
            }
        }
        return new MetaProperties(Optional.of(identityClusterId), OptionalInt.of(config.nodeId()), Optional.empty());
    }

    /**
     * Prepares each directory ({@link DataDirectories}) and reads its file: empty when not formatted. A file that
     * is not a node's (no cluster or node id) or names another node fails.
     */
    private Map<Path, Optional<MetaProperties>> readAll() {
        Map<Path, String> keys = new LinkedHashMap<>();
        String logDirsKey = config.brokerConfig().isSet("log.dirs") || !config.brokerConfig().isSet("log.dir")
                ? "log.dirs" : "log.dir";
        config.logManagerConfig().logDirs().forEach(directory -> keys.put(directory, logDirsKey));
        keys.putIfAbsent(config.metadataLogDirectory(), "metadata.log.dir");
        keys.forEach((directory, key) -> DataDirectories.prepare(key, directory));
        Map<Path, Optional<MetaProperties>> found = new LinkedHashMap<>();
        for (Path directory : keys.keySet()) {
            Optional<MetaProperties> identity = read(directory);
            identity.ifPresent(properties -> check(directory, properties));
            identity.flatMap(MetaProperties::directoryId).ifPresent(directoryIds::add);
            found.put(directory, identity);
        }
        return found;
    }

    private void check(Path directory, MetaProperties identity) {
        if (identity.clusterId().isEmpty() || identity.nodeId().isEmpty()) {
            throw new IllegalStateException(file(directory) + " has no cluster.id or node.id: it is not a node's "
                    + "data directory (a Raft tool's?); format an empty directory with fjord format");
        }
        if (identity.nodeId().getAsInt() != config.nodeId()) {
            throw new IllegalStateException("node.id " + config.nodeId() + " does not match node.id "
                    + identity.nodeId().getAsInt() + " in " + file(directory));
        }
    }

    private static Optional<MetaProperties> read(Path directory) {
        try {
            return MetaProperties.read(directory);
        } catch (FileSystemException e) {
            throw new IllegalStateException("cannot read " + file(directory) + ": " + IoErrors.reason(e), e);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e); // names the file and what is wrong in it
        }
    }

    private static void write(Path directory, MetaProperties identity) {
        try {
            identity.write(directory);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file(directory) + ": " + IoErrors.reason(e), e);
        }
    }

    private UUID newDirectoryId() {
        UUID id = Base64Uuids.random(randomUuids);
        while (!directoryIds.add(id)) {
            id = Base64Uuids.random(randomUuids);
        }
        return id;
    }

    private static Path file(Path directory) {
        return directory.resolve(MetaProperties.FILE_NAME);
    }
}
