package io.fjord.raft.tool;

import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.RoleChange;
import io.fjord.raft.driver.DriverStatus;
import io.fjord.raft.driver.ProposalException;
import io.fjord.raft.driver.RaftListener;
import io.fjord.raft.transport.TransportConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Raft node as a process, for the process test and manual runs; the state machine is a list of opaque text
 * entries. Usage: {@code RaftServerMain <node id> <voters: id@host:port,...> <data dir> [<election timeout ms>
 * <fetch timeout ms>]}.
 *
 * <p>Control by lines on standard input: {@code propose <text>} (answered {@code ack <text> <offset>} once committed,
 * or {@code nack <text> <error>}), {@code snapshot} (saves the applied entries as a snapshot; answered
 * {@code snapshot <end offset> <epoch>}), {@code status}, {@code quit}. Standard output also reports
 * {@code listening <port>}, {@code role <role> <epoch> <leader>} and {@code applied <offset> <epoch> <text>} for every
 * committed data entry in order; a loaded snapshot prints {@code loaded <end offset> <epoch>} and then the
 * {@code applied} lines it holds again, so that the output always ends with the whole applied log. A storage failure prints {@code failed <reason>} and exits with status 3. Lines are written whole, under one
 * lock.
 */
public final class RaftServerMain {
    private RaftServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 5) {
            System.err.println("usage: RaftServerMain <node id> <id@host:port,...> <data dir> "
                    + "[<election timeout ms> <fetch timeout ms>]");
            System.exit(2);
        }
        int nodeId = Integer.parseInt(args[0]);
        Map<Integer, InetSocketAddress> voters = parseVoters(args[1]);
        RaftConfig config = RaftConfig.withDefaults(nodeId, voters.keySet());
        if (args.length == 5) {
            int electionTimeoutMs = Integer.parseInt(args[3]);
            int fetchTimeoutMs = Integer.parseInt(args[4]);
            config = config.withTimeouts(electionTimeoutMs, fetchTimeoutMs, electionTimeoutMs,
                    RaftConfig.DEFAULT_REQUEST_TIMEOUT_MS, Math.min(RaftConfig.DEFAULT_FETCH_MAX_WAIT_MS,
                            fetchTimeoutMs / 2));
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        TextStateMachine state = new TextStateMachine();
        RaftListener listener = new RaftListener() {
            @Override
            public void onCommitted(LogEntry entry) {
                String applied = entry.offset() + " " + entry.epoch() + " "
                        + new String(entry.payload(), StandardCharsets.UTF_8);
                state.apply(entry.offset(), entry.type() == EntryType.DATA ? applied : null);
                if (entry.type() == EntryType.DATA) {
                    line(out, "applied " + applied);
                }
            }

            @Override
            public void onSnapshotLoaded(OffsetAndEpoch snapshotId, byte[] bytes) {
                List<String> lines = state.load(snapshotId.offset(), bytes);
                synchronized (out) {
                    line(out, "loaded " + snapshotId.offset() + " " + snapshotId.epoch());
                    lines.forEach(applied -> line(out, "applied " + applied));
                }
            }

            @Override
            public void onRoleChange(RoleChange change) {
                line(out, "role " + change.role() + " " + change.epoch() + " " + change.leaderId());
            }

            @Override
            public void onFailure(String reason, Throwable cause) {
                line(out, "failed " + reason);
                Runtime.getRuntime().halt(3);
            }
        };
        TransportConfig transportConfig = TransportConfig.withDefaults(voters.get(nodeId), voters, "fjord-raft");
        RaftServer server = new RaftServer(config, transportConfig, Path.of(args[2]), listener);
        server.start();
        line(out, "listening " + voters.get(nodeId).getPort());
        BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        while ((command = input.readLine()) != null) {
            if (command.startsWith("propose ")) {
                String text = command.substring("propose ".length());
                server.propose(List.of(text.getBytes(StandardCharsets.UTF_8))).whenComplete((offset, failure) -> {
                    if (failure == null) {
                        line(out, "ack " + text + " " + offset);
                    } else {
                        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                        line(out, "nack " + text + " " + (cause instanceof ProposalException refused
                                ? refused.error() : cause.toString()));
                    }
                });
            } else if (command.equals("snapshot")) {
                TextStateMachine.Saved saved = state.save();
                server.createSnapshot(saved.offset(), saved.bytes()).whenComplete((id, failure) -> line(out,
                        failure == null ? "snapshot " + (id == null ? "none" : id.offset() + " " + id.epoch())
                                : "snapshot-failed " + failure));
            } else if (command.equals("status")) {
                DriverStatus status = server.status();
                line(out, "status " + status.role() + " " + status.epoch() + " " + status.leaderId() + " "
                        + status.highWatermark() + " " + status.appliedOffset());
            } else if (command.equals("quit")) {
                break;
            }
        }
        server.close();
    }

    static Map<Integer, InetSocketAddress> parseVoters(String spec) {
        Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
        for (String voter : spec.split(",")) {
            int at = voter.indexOf('@');
            int colon = voter.lastIndexOf(':');
            if (at <= 0 || colon <= at) {
                throw new IllegalArgumentException("a voter is id@host:port, not " + voter);
            }
            voters.put(Integer.parseInt(voter.substring(0, at)), new InetSocketAddress(voter.substring(at + 1, colon),
                    Integer.parseInt(voter.substring(colon + 1))));
        }
        return voters;
    }

    private static void line(PrintStream out, String text) {
        synchronized (out) {
            out.println(text);
            out.flush();
        }
    }
}
