package io.fjord.raft.tool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RaftServerMain} in a child JVM (the test class path), driven through its standard input and watched
 * through its standard output: its role, its applied entries in order, and its acknowledgements with the time they
 * were read. Logs go to {@code node-<id>.log} beside its data directory.
 *
 * <p>Thread-safe: one reader thread per process fills concurrent collections.
 */
final class RaftNodeProcess implements AutoCloseable {
    final int nodeId;
    private final Process process;
    private final OutputStream input;
    /** "offset epoch text" of every applied data entry, in order. */
    final List<String> applied = new CopyOnWriteArrayList<>();
    /** Acknowledged proposals: text to offset. */
    final Map<String, Long> acks = new ConcurrentHashMap<>();
    /** When each acknowledgement was read (System.nanoTime()). */
    final Map<String, Long> ackNanos = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicInteger snapshotsLoaded = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger snapshotsCreated = new java.util.concurrent.atomic.AtomicInteger();
    /** Proposals the node refused ("nack" lines), and the last reason. */
    private final java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String lastRefusal = "";
    /** The reason of a "failed" line: the node halted itself. */
    private volatile String failure = "";
    private volatile String role = "UNATTACHED";
    private volatile int epoch;

    private RaftNodeProcess(int nodeId, Process process) {
        this.nodeId = nodeId;
        this.process = process;
        this.input = process.getOutputStream();
    }

    static RaftNodeProcess start(int nodeId, String voters, Path dataDirectory, List<String> timeouts)
            throws IOException, URISyntaxException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String logConfig = Path.of(RaftNodeProcess.class.getResource("/logback-child.xml").toURI()).toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + logConfig, "-cp", System.getProperty("java.class.path"),
                RaftServerMain.class.getName(), Integer.toString(nodeId), voters, dataDirectory.toString()));
        command.addAll(timeouts);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(
                        dataDirectory.resolveSibling("node-" + nodeId + ".log").toFile()))
                .start();
        RaftNodeProcess node = new RaftNodeProcess(nodeId, process);
        Thread reader = new Thread(node::readOutput, "node-" + nodeId + "-output");
        reader.setDaemon(true);
        reader.start();
        return node;
    }

    private void readOutput() {
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = output.readLine()) != null) {
                String[] words = line.split(" ");
                switch (words[0]) {
                    case "applied" -> applied.add(words[1] + " " + words[2] + " " + words[3]);
                    case "loaded" -> {
                        // The snapshot's entries are printed again after this line.
                        applied.clear();
                        snapshotsLoaded.incrementAndGet();
                    }
                    case "snapshot" -> snapshotsCreated.incrementAndGet();
                    case "ack" -> {
                        ackNanos.put(words[1], System.nanoTime());
                        acks.put(words[1], Long.parseLong(words[2]));
                    }
                    case "nack" -> {
                        lastRefusal = line;
                        refusals.incrementAndGet();
                    }
                    case "failed" -> failure = line;
                    case "role" -> {
                        epoch = Integer.parseInt(words[2]);
                        role = words[1];
                    }
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            // the process died
        }
    }

    boolean isLeader() {
        return process.isAlive() && role.equals("LEADER");
    }

    /** Role, epoch, liveness and what was read so far, for a failure's message. */
    String describe() {
        return String.format("%s in epoch %d, %s, %d applied, %d acknowledged, %d proposals refused (last: %s)%s",
                role, epoch, process.isAlive() ? "alive" : "dead", applied.size(), acks.size(), refusals.get(),
                lastRefusal, failure.isEmpty() ? "" : ", " + failure);
    }

    int epoch() {
        return epoch;
    }

    /** Sends a command line; false if the process is gone. */
    synchronized boolean command(String line) {
        try {
            input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            input.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye to the peers. */
    void killNine() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            killNine();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
