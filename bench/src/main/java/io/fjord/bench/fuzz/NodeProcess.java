package io.fjord.bench.fuzz;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Fjord node in a child JVM (so that a crash, an out-of-memory error or a hang is observable from outside): one
 * broker-and-controller node on a loopback port, its data and output in a working directory. Memory is read from
 * {@code /proc/<pid>/status} (resident set now and at its peak) and, when the JDK has {@code jstat}, the heap in use.
 * Not thread-safe: one owning thread.
 */
final class NodeProcess implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 90_000;
    private final Process process;
    private final InetSocketAddress address;
    private final Path output;

    private NodeProcess(Process process, InetSocketAddress address, Path output) {
        this.process = process;
        this.address = address;
        this.output = output;
    }

    /**
     * Starts a node: {@code java <jvmOptions> -cp <classPath> io.fjord.server.FjordCli start --config ...}, and waits
     * until it listens.
     *
     * @param extraProperties lines added to its server.properties
     */
    static NodeProcess start(Path workDirectory, String classPath, List<String> jvmOptions,
                             List<String> extraProperties) throws IOException, InterruptedException {
        Files.createDirectories(workDirectory);
        int port = freePort();
        Path config = workDirectory.resolve("server.properties");
        List<String> lines = new ArrayList<>(List.of("node.id=1", "listeners=PLAINTEXT://127.0.0.1:" + port,
                "log.dirs=" + workDirectory.resolve("data")));
        lines.addAll(extraProperties);
        Files.write(config, lines, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, "io.fjord.server.FjordCli", "start", "--config", config.toString()));
        Path output = workDirectory.resolve("node.out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        NodeProcess node = new NodeProcess(process, new InetSocketAddress("127.0.0.1", port), output);
        node.awaitListening();
        return node;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the node exited with " + process.exitValue() + " while starting: "
                        + outputTail(20));
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, 1_000);
                return;
            } catch (IOException notYet) {
                // Polling a child process for its listener: a pause between attempts, not synchronisation.
                process.waitFor(200, TimeUnit.MILLISECONDS);
            }
        }
        close();
        throw new IOException("the node did not listen on " + address + " within " + START_TIMEOUT_MS + " ms");
    }

    InetSocketAddress address() {
        return address;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or null while it runs. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    Path output() {
        return output;
    }

    /** The last {@code lines} lines the node printed (read from the end of its output file only). */
    String outputTail(int lines) {
        try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
            long length = file.length();
            int read = (int) Math.min(length, 16 * 1024);
            byte[] bytes = new byte[read];
            file.seek(length - read);
            file.readFully(bytes);
            String[] all = new String(bytes, StandardCharsets.UTF_8).split("\n");
            int from = Math.max(0, all.length - lines);
            return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
