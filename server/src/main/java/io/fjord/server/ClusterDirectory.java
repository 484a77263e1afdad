package io.fjord.server;

import io.fjord.broker.config.ConfigException;
import io.fjord.storage.Base64Uuids;
import io.fjord.metadata.quorum.BootstrapRecords;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.storage.MetaProperties;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The directory of a local cluster on disk: its {@code cluster.id} (made on the first run, as {@code fjord
 * random-uuid} makes one, and reused after), each node's {@code server.properties} (rewritten at every run from the
 * layout) and each node's data directories, formatted with that id as {@code fjord format --ignore-formatted} does.
 * A directory that holds a cluster of another size is refused. Every failure is an {@link IllegalStateException}
 * whose message is one line naming the path.
 *
 * <p>Not thread-safe: one command uses an instance, before any node starts.
 */
final class ClusterDirectory {
    private static final Pattern NODE_DIRECTORY = Pattern.compile("node-([1-9][0-9]{0,8})");
    /** A cluster id is 22 characters; anything much longer is not one. */
    private static final long CLUSTER_ID_FILE_SIZE_MAX_BYTES = 1024;

    private final ClusterLayout layout;
    private final Supplier<UUID> randomUuids;
    private final List<MetadataRecord> scramRecords;

    ClusterDirectory(ClusterLayout layout, Supplier<UUID> randomUuids) {
        this(layout, randomUuids, List.of());
    }

    /**
     * @param scramRecords {@code --add-scram}'s credentials, written beside each node's metadata log when the node is
     *     formatted (a new cluster's first active controller commits them; a formatted node's are left alone)
     */
    ClusterDirectory(ClusterLayout layout, Supplier<UUID> randomUuids, List<MetadataRecord> scramRecords) {
        this.layout = layout;
        this.randomUuids = randomUuids;
        this.scramRecords = List.copyOf(scramRecords);
    }

    /**
     * Makes the directory ready for the nodes to start: checks the cluster's size, reads or makes the cluster id,
     * writes every node's {@code server.properties} and formats the node directories not formatted yet.
     *
     * @param out where a line per formatted directory goes (none when everything was formatted before)
     * @return the cluster id
     */
    String prepare(PrintStream out) {
        DataDirectories.prepare("--directory", layout.directory());
        Set<Integer> formatted = formattedNodes();
        Set<Integer> expected = new TreeSet<>();
        layout.nodes().forEach(node -> expected.add(node.nodeId()));
        if (!formatted.isEmpty() && !formatted.equals(expected)) {
            throw new IllegalStateException(layout.directory() + " holds a cluster of " + formatted.size()
                    + " node" + (formatted.size() == 1 ? "" : "s") + " (node ids " + formatted + "), not of "
                    + layout.nodeCount() + ": use --nodes " + formatted.size()
                    + " or another --directory");
        }
        String clusterId = clusterId(!formatted.isEmpty());
        for (ClusterLayout.Node node : layout.nodes()) {
            write(node.propertiesFile(), layout.serverProperties(node));
            format(node, clusterId, out);
        }
        return clusterId;
    }

    /** The ids of the nodes whose data directory holds a {@code meta.properties}. */
    private Set<Integer> formattedNodes() {
        Set<Integer> formatted = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.directory())) {
            for (Path entry : entries) {
                Matcher name = NODE_DIRECTORY.matcher(entry.getFileName().toString());
                if (name.matches() && Files.exists(entry.resolve("data").resolve(MetaProperties.FILE_NAME))) {
                    formatted.add(Integer.parseInt(name.group(1)));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + layout.directory() + ": " + IoErrors.reason(e), e);
        }
        return formatted;
    }

    /** The stored id; a new one (stored first, so that a later run formats the rest with it) on a first run. */
    private String clusterId(boolean nodesFormatted) {
        Path file = layout.clusterIdFile();
        if (Files.exists(file)) {
            String clusterId;
            try {
                if (Files.size(file) > CLUSTER_ID_FILE_SIZE_MAX_BYTES) {
                    throw new IllegalStateException(file + " is not a cluster id: it holds "
                            + Files.size(file) + " bytes");
                }
                clusterId = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file + ": " + IoErrors.reason(e), e);
            }
            try {
                Base64Uuids.decode(clusterId);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(file + " does not hold a cluster id (22 characters of base64): '"
                        + clusterId + "'", e);
            }
            return clusterId;
        }
        if (nodesFormatted) {
            throw new IllegalStateException(file + " is missing but the nodes in " + layout.directory()
                    + " are formatted: restore it (the cluster.id of any node's data/meta.properties)"
                    + " or use another --directory");
        }
        String clusterId = Base64Uuids.encode(Base64Uuids.random(randomUuids));
        write(file, clusterId + "\n");
        return clusterId;
    }

    /** {@code fjord format --ignore-formatted}: formatted directories of this cluster and node are left alone. */
    private void format(ClusterLayout.Node node, String clusterId, PrintStream out) {
        NodeConfig config;
        try {
            config = NodeConfig.fromProperties(ServerProperties.read(node.propertiesFile()));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new IllegalStateException("node " + node.nodeId() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + node.propertiesFile() + ": " + IoErrors.reason(e), e);
        }
        // Format's own "already formatted" line would repeat for every node at every run: only new formats show.
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        new NodeDirectories(config, randomUuids).format(clusterId, true,
                new PrintStream(lines, true, StandardCharsets.UTF_8));
        List<String> formattedNow = lines.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith("Formatting")).toList();
        formattedNow.forEach(out::println);
        if (!formattedNow.isEmpty() && !scramRecords.isEmpty()) {
            try {
                BootstrapRecords.write(config.metadataLogDirectory(), scramRecords);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write the bootstrap records into "
                        + config.metadataLogDirectory() + ": " + IoErrors.reason(e), e);
            }
        }
    }

    /** Writes through a temporary file, so that an interrupted run never leaves half a file. */
    private static void write(Path file, String text) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + IoErrors.reason(e), e);
        }
    }
}
