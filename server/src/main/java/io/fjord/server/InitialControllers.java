package io.fjord.server;

import io.fjord.storage.Base64Uuids;
import io.fjord.raft.KraftVersionRange;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.VoterEndpoint;
import io.fjord.raft.VoterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code --initial-controllers} of {@code fjord format} (KIP-853, as {@code kafka-storage format}): a comma-separated
 * list of {@code id@host:port:directoryId}, the directory id in Kafka's base64 form, an IPv6 host in brackets. Each
 * controller listens on the controller listener {@code listenerName}. Stateless; thread-safe.
 */
final class InitialControllers {
    private InitialControllers() {
    }

    /**
     * The voter set the list names.
     *
     * @throws IllegalArgumentException with Kafka's one-line message for an entry that does not parse
     */
    static VoterSet parse(String text, String listenerName) {
        List<VoterSet.Voter> voters = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        for (String entry : text.split(",")) {
            VoterSet.Voter voter = parseOne(entry.trim(), listenerName);
            if (seen.contains(voter.key().id())) {
                throw new IllegalArgumentException("Node id " + voter.key().id()
                        + " was specified more than once in --initial-controllers.");
            }
            seen.add(voter.key().id());
            voters.add(voter);
        }
        if (voters.size() > VoterSet.MAX_VOTERS) {
            throw new IllegalArgumentException("--initial-controllers names more than " + VoterSet.MAX_VOTERS
                    + " controllers.");
        }
        return VoterSet.ofVoters(voters);
    }

    private static VoterSet.Voter parseOne(String input, String listenerName) {
        int at = input.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("No @ found in dynamic voter string.");
        }
        if (at == 0) {
            throw new IllegalArgumentException("Invalid @ at beginning of dynamic voter string.");
        }
        int id;
        try {
            id = Integer.parseInt(input.substring(0, at));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Failed to parse node id in dynamic voter string.");
        }
        if (id < 0) {
            throw new IllegalArgumentException("Invalid negative node id " + id + " in dynamic voter string.");
        }
        String rest = input.substring(at + 1);
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("No hostname found after node id.");
        }
        String host;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("Hostname did not have a closing bracket.");
            }
            host = rest.substring(1, close);
            rest = rest.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("No colon following hostname could be found.");
            }
            rest = rest.substring(1);
        } else {
            int colon = rest.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("No colon following hostname could be found.");
            }
            host = rest.substring(0, colon);
            rest = rest.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("No hostname found after node id.");
        }
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("No colon following port could be found.");
        }
        int port;
        try {
            port = Integer.parseInt(rest.substring(0, colon));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Failed to parse port in dynamic voter string.");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Invalid port " + port + " in dynamic voter string.");
        }
        UUID directoryId;
        try {
            directoryId = Base64Uuids.decode(rest.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Failed to parse directory ID in dynamic voter string.");
        }
        if (directoryId.equals(ReplicaKey.NO_DIRECTORY)) {
            throw new IllegalArgumentException("Invalid zero directory ID in dynamic voter string.");
        }
        // A formatted voter runs this software: it supports its kraft.version levels (Kafka's DynamicVoter: 0 to 1).
        return new VoterSet.Voter(new ReplicaKey(id, directoryId), List.of(new VoterEndpoint(listenerName, host,
                port)), KraftVersionRange.SUPPORTED);
    }
}
