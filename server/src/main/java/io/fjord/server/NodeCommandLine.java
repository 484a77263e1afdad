package io.fjord.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The command that runs one node of a local cluster as a child JVM: this process's java binary and class path, the
 * heap of {@code FJORD_HEAP_OPTS} (a smaller default than {@code fjord start}'s 1 GiB, as several nodes share the
 * machine), the options of {@code FJORD_JAVA_OPTS}, then {@link ClusterNodeMain} (what {@code fjord start} does, without
 * its command-line parser) on the node's file with its log in the node's directory, and the file it writes once ready
 * ({@code --ready-file}). Pure: the caller passes in what it read from the process and its environment. Immutable.
 *
 * <p>Every node gets the server's JIT option, {@value #JIT_OPTION}, before {@code FJORD_JAVA_OPTS} (which may override
 * it): C2 then compiles the branches a method has not taken yet instead of pruning them behind uncommon traps. A
 * broker's rare paths (a new producer's first batch, a new connection's first request types) would otherwise
 * deoptimise and recompile its hottest methods whenever a client connects. The {@code fjord} script gives
 * {@code fjord start} the same option.
 *
 * <p>When this process maps the build's class-data-sharing archive (the {@code fjord} script names it in
 * {@code -Dfjord.class.archive}), every node maps it too: a node's JVM then starts with about half the CPU. The JVM
 * ignores an archive that does not match the jars; its CDS messages are off, so that such a mismatch stays silent.
 *
 * @param javaBinary the java executable
 * @param classPath the class path (the fjord jar, whose manifest names the rest, or the classes and jars of a test)
 * @param environment the environment, for {@code FJORD_HEAP_OPTS} and {@code FJORD_JAVA_OPTS}
 * @param logbackConfiguration this process's {@code logback.configurationFile}, or null; the children use the same
 * @param classArchive the class-data-sharing archive the children map, or null for none
 */
record NodeCommandLine(String javaBinary, String classPath, Map<String, String> environment,
                       String logbackConfiguration, String classArchive) {
    static final String HEAP_OPTIONS_VARIABLE = "FJORD_HEAP_OPTS";
    static final String JAVA_OPTIONS_VARIABLE = "FJORD_JAVA_OPTS";
    /** Each node's heap when {@code FJORD_HEAP_OPTS} is unset. */
    static final String DEFAULT_HEAP_OPTIONS = "-Xmx512m";
    /** C2 compiles untaken branches rather than trapping on them: no deoptimisation storms when clients connect. */
    static final String JIT_OPTION = "-XX:PerMethodTrapLimit=0";
    /** The system property in which the {@code fjord} script names the archive it maps. */
    static final String CLASS_ARCHIVE_PROPERTY = "fjord.class.archive";
    private static final String MAIN_CLASS = ClusterNodeMain.class.getName();

    NodeCommandLine {
        environment = Map.copyOf(environment);
    }

    /** The java binary and class path of this process. */
    static NodeCommandLine ofThisProcess() {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new NodeCommandLine(java, System.getProperty("java.class.path"), System.getenv(),
                System.getProperty("logback.configurationFile"), System.getProperty(CLASS_ARCHIVE_PROPERTY));
    }

    List<String> command(ClusterLayout.Node node) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary);
        command.addAll(words(environment.getOrDefault(HEAP_OPTIONS_VARIABLE, ""), DEFAULT_HEAP_OPTIONS));
        command.add(JIT_OPTION);
        if (classArchive != null && !classArchive.isBlank()) {
            command.addAll(List.of("-XX:SharedArchiveFile=" + classArchive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        command.addAll(words(environment.getOrDefault(JAVA_OPTIONS_VARIABLE, ""), ""));
        if (logbackConfiguration != null && !logbackConfiguration.isBlank()) {
            command.add("-Dlogback.configurationFile=" + logbackConfiguration);
        }
        // After FJORD_JAVA_OPTS, which might name one log directory for all: the last -D wins.
        command.add("-D" + FileLog.PROPERTY + "=" + node.directory());
        command.addAll(List.of("-cp", classPath, MAIN_CLASS, ClusterNodeMain.CONFIG_OPTION,
                node.propertiesFile().toString(), ClusterNodeMain.READY_FILE_OPTION, node.readyFile().toString()));
        return command;
    }

    /** The child's environment: {@code FJORD_LOG_DIR} names the node's directory, for tools that read it. */
    Map<String, String> environment(ClusterLayout.Node node) {
        return Map.of(FileLog.ENVIRONMENT_VARIABLE, node.directory().toString());
    }

    /** The words of a variable as the fjord script's unquoted expansion splits them; the default when blank. */
    private static List<String> words(String value, String defaultValue) {
        String words = value.isBlank() ? defaultValue : value;
        return Arrays.stream(words.trim().split("\\s+")).filter(word -> !word.isEmpty()).toList();
    }
}
