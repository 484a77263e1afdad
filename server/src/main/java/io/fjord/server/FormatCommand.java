package io.fjord.server;

import io.fjord.broker.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import io.fjord.raft.KraftVersionRange;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.VoterSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fjord format}: prepares a node's directories before its first start, as Kafka's {@code kafka-storage format}
 * does: {@code meta.properties} with the cluster id, the node id and a directory id in every {@code log.dirs} entry
 * and the {@code metadata.log.dir}. Not thread-safe; runs once on the main thread.
 */
@Command(name = "format", mixinStandardHelpOptions = true, versionProvider = FjordVersion.class,
        description = {"Format a node's data directories (log.dirs and metadata.log.dir) for a cluster,",
                "as kafka-storage format does: meta.properties with cluster.id, node.id and a new directory.id.",
                "Refuses a directory formatted already, unless --ignore-formatted (then formats only the others).",
                "A controller of a dynamic quorum (controller.quorum.bootstrap.servers, no controller.quorum.voters)",
                "takes --standalone, --initial-controllers or --no-initial-controllers, as in Kafka (KIP-853).",
                "Get a cluster id from fjord random-uuid. Exits 1 with one line naming the cause on failure."})
final class FormatCommand implements Callable<Integer> {
    @Option(names = {"-t", "--cluster-id"}, required = true, paramLabel = "ID",
            description = "The cluster id: a UUID in Kafka's base64 form, e.g. from fjord random-uuid.")
    String clusterId;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The node's server.properties (the file fjord start --config reads).")
    Path configFile;

    @Option(names = {"-g", "--ignore-formatted"},
            description = "Leave directories formatted for this cluster and node alone; format the others.")
    boolean ignoreFormatted;

    @Option(names = {"-s", "--standalone"},
            description = "Dynamic quorum (KIP-853): this controller is the one initial voter.")
    boolean standalone;

    @Option(names = {"-I", "--initial-controllers"}, paramLabel = "LIST",
            description = {"Dynamic quorum (KIP-853): the initial voters, id@host:port:directoryId,... (the",
                    "directory id as fjord random-uuid prints one); this node's entry gives its metadata",
                    "directory's directory.id."})
    String initialControllers;

    @Option(names = {"-N", "--no-initial-controllers"},
            description = "Dynamic quorum (KIP-853): this controller joins an existing quorum (add-controller).")
    boolean noInitialControllers;

    @Option(names = {"-S", "--add-scram"}, paramLabel = "CREDENTIAL",
            description = {"A SCRAM user the new cluster starts with, as kafka-storage format takes it:",
                    "'SCRAM-SHA-256=[name=admin,password=admin-secret]' (repeatable; iterations=N optional)."})
    List<String> addScram = new java.util.ArrayList<>();

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    @Override
    public Integer call() {
        NodeConfig config;
        try {
            config = NodeConfig.fromProperties(ServerProperties.read(configFile));
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("fjord: format: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("fjord: format: cannot read the configuration file " + configFile + ": "
                    + IoErrors.reason(e));
            return 1;
        }
        UUID metadataDirectoryId = null;
        VoterSet bootstrapVoters = null;
        try {
            checkQuorumOptions(config);
            if (standalone) {
                metadataDirectoryId = UUID.randomUUID();
                bootstrapVoters = VoterSet.ofVoters(List.of(new VoterSet.Voter(
                        new ReplicaKey(config.nodeId(), metadataDirectoryId),
                        List.of(config.quorum().advertisedControllerEndpoint(config.brokerConfig())),
                        KraftVersionRange.SUPPORTED)));
            } else if (initialControllers != null) {
                String listenerName = config.quorum().controllerListener().listenerName().toUpperCase(Locale.ROOT);
                bootstrapVoters = InitialControllers.parse(initialControllers, listenerName);
                ReplicaKey own = bootstrapVoters.key(config.nodeId()).orElseThrow(() -> new IllegalArgumentException(
                        "The controller's node id " + config.nodeId() + " is not in --initial-controllers."));
                metadataDirectoryId = own.directoryId();
            }
        } catch (IllegalArgumentException e) {
            err.println("fjord: format: " + e.getMessage());
            return 1;
        }
        List<io.fjord.metadata.records.MetadataRecord> scramRecords = new java.util.ArrayList<>();
        try {
            java.security.SecureRandom random = new java.security.SecureRandom();
            for (String credential : addScram) {
                scramRecords.add(ScramBootstrap.parse(credential, random));
            }
        } catch (IllegalArgumentException e) {
            err.println("fjord: format: " + e.getMessage());
            return 1;
        }
        try {
            new NodeDirectories(config, UUID::randomUUID).format(clusterId, ignoreFormatted, out,
                    metadataDirectoryId, bootstrapVoters);
            if (!scramRecords.isEmpty()) {
                // The first active controller of the new cluster commits them.
                io.fjord.metadata.quorum.BootstrapRecords.write(config.metadataLogDirectory(), scramRecords);
            }
        } catch (IllegalStateException e) {
            err.println("fjord: format: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("fjord: format: cannot write the bootstrap records into " + config.metadataLogDirectory()
                    + ": " + IoErrors.reason(e));
            return 1;
        }
        return 0;
    }

    /**
     * Kafka's rules for the quorum options: at most one of them; {@code --standalone} and
     * {@code --initial-controllers} only on a controller of a dynamic quorum; a controller without
     * {@code controller.quorum.voters} needs one of the three.
     *
     * @throws IllegalArgumentException with Kafka's one-line message
     */
    private void checkQuorumOptions(NodeConfig config) {
        if (noInitialControllers && standalone) {
            throw new IllegalArgumentException(
                    "argument --standalone/-s: not allowed with argument --no-initial-controllers/-N");
        }
        if (noInitialControllers && initialControllers != null) {
            throw new IllegalArgumentException(
                    "argument --initial-controllers/-I: not allowed with argument --no-initial-controllers/-N");
        }
        if (standalone && initialControllers != null) {
            throw new IllegalArgumentException(
                    "argument --initial-controllers/-I: not allowed with argument --standalone/-s");
        }
        QuorumShape quorum = config.quorum();
        if (standalone && !quorum.isController()) {
            throw new IllegalArgumentException("You can only use --standalone on a controller.");
        }
        if (initialControllers != null && !quorum.isController()) {
            throw new IllegalArgumentException("You can only use --initial-controllers on a controller.");
        }
        if ((standalone || initialControllers != null) && quorum.controllerListener() == null) {
            throw new IllegalArgumentException("controller.listener.names must contain at least one value appearing"
                    + " in the 'listeners' configuration when running the KRaft controller role");
        }
        if ((standalone || initialControllers != null) && !quorum.voters().isEmpty()) {
            throw new IllegalArgumentException("You cannot specify controller.quorum.voters and format the node with"
                    + " --initial-controllers or --standalone. If you want to use dynamic quorum, please remove"
                    + " controller.quorum.voters and specify controller.quorum.bootstrap.servers instead.");
        }
        if (quorum.isController() && quorum.voters().isEmpty() && !standalone && initialControllers == null
                && !noInitialControllers && quorum.isDynamic()) {
            throw new IllegalArgumentException("Because controller.quorum.voters is not set on this controller, you"
                    + " must specify one of the following: --standalone, --initial-controllers, or"
                    + " --no-initial-controllers.");
        }
    }
}
