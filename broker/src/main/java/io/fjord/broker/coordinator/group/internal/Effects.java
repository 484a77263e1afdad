package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.CoordinatorResult;
import io.fjord.broker.coordinator.group.Reply;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.protocol.message.ApiMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects what one call into the shard produces: records, each applied to the {@link GroupStore} as it is
 * appended (the one way durable state changes), and replies. Carries the call's time.
 *
 * <p>Not thread-safe: lives for one call on the shard's thread.
 */
public final class Effects {
    private final long nowMs;
    private final GroupStore store;
    private final List<CoordinatorRecord> records = new ArrayList<>();
    private final List<Reply> replies = new ArrayList<>();

    public Effects(long nowMs, GroupStore store) {
        this.nowMs = nowMs;
        this.store = store;
    }

    public long nowMs() {
        return nowMs;
    }

    /** Appends a record and applies it. */
    public void append(CoordinatorRecord record) {
        records.add(record);
        store.replay(record);
    }

    /**
     * Appends a record of {@code producerId}'s transaction (the call's records are then written as its
     * transactional batch) and applies it: an offset commit stays pending until the producer's marker.
     */
    public void appendTransactional(long producerId, CoordinatorRecord record) {
        records.add(record);
        store.replayTransactional(producerId, record);
    }

    public void reply(long requestId, ApiMessage response) {
        replies.add(new Reply(requestId, response));
    }

    public CoordinatorResult result() {
        return new CoordinatorResult(records, replies);
    }
}
