package io.fjord.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node of a local cluster running as a child process, with the tail of its console ({@link ConsoleTail}).
 *
 * <p>Thread-safe: the process handle is; {@link #start} runs once, before the instance is shared.
 */
final class NodeProcess {
    private static final int CONSOLE_LINES_MAX = 20;
    private static final int CONSOLE_LINE_LENGTH_MAX = 2000;
    /** How long the console reader may take to read what an exited process left in its pipe. */
    private static final long CONSOLE_DRAIN_MILLIS = 5_000;

    private final ClusterLayout.Node node;
    private final Process process;
    private final ConsoleTail console;
    private final Thread consoleReader;

    private NodeProcess(ClusterLayout.Node node, Process process, ConsoleTail console, Thread consoleReader) {
        this.node = node;
        this.process = process;
        this.console = console;
        this.consoleReader = consoleReader;
    }

    /** Starts the node's process and the daemon thread that drains its console. */
    static NodeProcess start(ClusterLayout.Node node, NodeCommandLine commandLine) throws IOException {
        // A previous run's file (a node that was killed) must not count as this process's readiness.
        Files.deleteIfExists(node.readyFile());
        ProcessBuilder builder = new ProcessBuilder(commandLine.command(node)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(commandLine.environment(node));
        Process process = builder.start();
        process.getOutputStream().close(); // a node reads nothing from its standard input
        ConsoleTail console = new ConsoleTail(process.getInputStream(), CONSOLE_LINES_MAX, CONSOLE_LINE_LENGTH_MAX);
        Thread reader = new Thread(console, "fjord-cluster-node-" + node.nodeId() + "-console");
        reader.setDaemon(true);
        reader.start();
        return new NodeProcess(node, process, console, reader);
    }

    ClusterLayout.Node node() {
        return node;
    }

    InetSocketAddress clientAddress() {
        return new InetSocketAddress("localhost", node.clientPort());
    }

    /** Whether the node's process said it is ready (it finished starting and has not begun to stop). */
    boolean reportedReady() {
        return Files.exists(node.readyFile());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to exit. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    boolean waitFor(long timeoutMillis) throws InterruptedException {
        return process.waitFor(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code action} once the process has exited, on another thread. */
    void waitForExitThen(Runnable action) {
        process.onExit().thenRun(action);
    }

    /** The exit code; only once the process has exited. */
    int exitCode() {
        return process.exitValue();
    }

    /** SIGTERM: the node stops cleanly. */
    void stop() {
        process.destroy();
    }

    /** SIGKILL, for a node that did not stop in time. */
    void kill() {
        process.destroyForcibly();
    }

    /** The last lines the process printed, once it has exited (they are read until its pipe closes). */
    List<String> lastConsoleLines() throws InterruptedException {
        consoleReader.join(CONSOLE_DRAIN_MILLIS);
        return console.lastLines();
    }
}
