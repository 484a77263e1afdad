package io.fjord.broker.replica;

import io.fjord.broker.fetch.FetchSessionEpochs;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The follower's side of one incremental fetch session (KIP-227, Kafka's FetchSessionHandler) with one leader: what
 * the leader's session holds for each partition, so that a round's Fetch names only the partitions whose position
 * changed (and forgets those no longer fetched), and the leader answers only partitions with news. With many idle
 * partitions that cuts the request and response to the busy ones.
 *
 * <p>The first request of a session is a full one with epoch 0 (closing the previous session, if any); its answer
 * names the new session. Later requests are incremental, epochs 1, 2, ... A leader that creates no session (id 0 in
 * the answer) gets full requests with epoch 0 again. A session error (FETCH_SESSION_ID_NOT_FOUND,
 * INVALID_FETCH_SESSION_EPOCH, FETCH_SESSION_TOPIC_ID_ERROR), any other error of the whole response, a failed request
 * or a Fetch version change starts over with a full request.
 *
 * <p>Thread-safe (synchronized): a request is built on the leader endpoint's event loop, its answer handled on the
 * fetcher's thread, one round at a time.
 */
final class ReplicaFetchSession {
    /** Topic ids name the session's partitions from Fetch v13; before, topic names. */
    private static final short TOPIC_IDS_VERSION = 13;

    /** A partition that leaves the session: by topic id (v13+) or name. Immutable. */
    record Forgotten(TopicPartition topicPartition, UUID topicId) {
    }

    /**
     * What one Fetch carries: the session id and epoch, the partitions to send (all of them when {@code full}) and
     * those to forget. Immutable.
     */
    record Request(int sessionId, int epoch, boolean full, List<PlannedFetch> toSend, List<Forgotten> toForget) {
    }

    /** What the leader's session holds for a partition, as last sent. */
    private record Sent(UUID topicId, long fetchOffset, int lastFetchedEpoch, long logStartOffset,
            int currentLeaderEpoch) {
        static Sent of(PlannedFetch planned) {
            return new Sent(planned.state().topicId(), planned.fetchOffset(), planned.lastFetchedEpoch(),
                    planned.logStartOffset(), planned.state().currentLeaderEpoch());
        }
    }

    private int sessionId = FetchSessionEpochs.INVALID_SESSION_ID;
    private int nextEpoch = FetchSessionEpochs.INITIAL_EPOCH;
    private short sessionVersion = -1;
    private boolean lastRequestFull = true;
    private final Map<TopicPartition, Sent> sent = new LinkedHashMap<>();

    /**
     * The next request for the partitions {@code planned} (not empty), at {@code version}; records what the leader's
     * session will hold once it is answered.
     */
    synchronized Request next(short version, List<PlannedFetch> planned) {
        if (sessionId == FetchSessionEpochs.INVALID_SESSION_ID || nextEpoch == FetchSessionEpochs.INITIAL_EPOCH
                || version != sessionVersion) {
            sent.clear();
            for (PlannedFetch partition : planned) {
                sent.put(partition.topicPartition(), Sent.of(partition));
            }
            sessionVersion = version;
            lastRequestFull = true;
            // Naming the old session with epoch 0 closes it on the leader and opens a new one.
            return new Request(sessionId, FetchSessionEpochs.INITIAL_EPOCH, true, List.copyOf(planned), List.of());
        }
        boolean byTopicId = version >= TOPIC_IDS_VERSION;
        List<PlannedFetch> toSend = new ArrayList<>();
        List<Forgotten> toForget = new ArrayList<>();
        Set<TopicPartition> kept = new HashSet<>();
        for (PlannedFetch partition : planned) {
            TopicPartition topicPartition = partition.topicPartition();
            kept.add(topicPartition);
            Sent now = Sent.of(partition);
            Sent before = sent.put(topicPartition, now);
            if (now.equals(before)) {
                continue;
            }
            if (byTopicId && before != null && !before.topicId().equals(now.topicId())) {
                // The topic was recreated under the same name: the session keys partitions by topic id.
                toForget.add(new Forgotten(topicPartition, before.topicId()));
            }
            toSend.add(partition);
        }
        var entries = sent.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<TopicPartition, Sent> entry = entries.next();
            if (!kept.contains(entry.getKey())) {
                toForget.add(new Forgotten(entry.getKey(), entry.getValue().topicId()));
                entries.remove();
            }
        }
        lastRequestFull = false;
        return new Request(sessionId, nextEpoch, false, toSend, toForget);
    }

    /**
     * Takes the leader's answer to the last request. Returns false when the answer is a session error: it carries
     * no partitions, and the next request (a full one) can go at once.
     */
    synchronized boolean handleResponse(FetchResponseData response) {
        Errors error = Errors.forCode(response.errorCode());
        if (error != Errors.NONE) {
            if (error == Errors.FETCH_SESSION_ID_NOT_FOUND) {
                sessionId = FetchSessionEpochs.INVALID_SESSION_ID;
            }
            restart();
            return error != Errors.FETCH_SESSION_ID_NOT_FOUND && error != Errors.INVALID_FETCH_SESSION_EPOCH
                    && error != Errors.FETCH_SESSION_TOPIC_ID_ERROR;
        }
        if (lastRequestFull) {
            sessionId = response.sessionId();
            nextEpoch = sessionId == FetchSessionEpochs.INVALID_SESSION_ID ? FetchSessionEpochs.INITIAL_EPOCH
                    : FetchSessionEpochs.nextEpoch(FetchSessionEpochs.INITIAL_EPOCH);
        } else if (response.sessionId() != sessionId) {
            // The leader closed the session (it was left empty, or evicted): start a new one.
            sessionId = FetchSessionEpochs.INVALID_SESSION_ID;
            restart();
        } else {
            nextEpoch = FetchSessionEpochs.nextEpoch(nextEpoch);
        }
        return true;
    }

    /** The last request got no answer: what the leader holds is unknown, so the next request is a full one. */
    synchronized void handleFailure() {
        restart();
    }

    /** The session id the next request names; for tests. */
    synchronized int sessionId() {
        return sessionId;
    }

    private void restart() {
        nextEpoch = FetchSessionEpochs.INITIAL_EPOCH;
        sent.clear();
    }
}
