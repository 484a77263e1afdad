package io.fjord.bench.cluster;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The voters of the metadata quorum and the processes of the nodes, for the commands that kill one (a picocli mixin).
 * Not thread-safe; read once after parsing.
 */
final class QuorumOptions {
    @Option(names = "--controller", required = true, paramLabel = "ID@HOST:PORT",
            description = "A voter's controller listener (repeat for each voter).")
    List<String> controllers;

    @Option(names = "--pid", required = true, paramLabel = "ID=PID",
            description = "The process of a node (repeat for each).")
    Map<Integer, Long> pids;

    /** The voters' controller listeners by node id, in the order given. */
    Map<Integer, InetSocketAddress> voters() {
        Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
        for (String controller : controllers) {
            int at = controller.indexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException("--controller " + controller + " is not ID@HOST:PORT");
            }
            voters.put(Integer.parseInt(controller.substring(0, at)), HostPorts.parse(controller.substring(at + 1)));
        }
        return voters;
    }
}
