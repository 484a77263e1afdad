package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The replies of one led coordinator partition that wait for the high watermark (Kafka's deferred event queue): each
 * shard result's replies wait for the offset after the records the shard had written when it answered, so a reply
 * never tells a client of state the in-sync replicas do not all have. Released in order as the high watermark passes
 * their offsets; failed at their deadline (the commit timeout after they were deferred) or when the
 * partition is dropped. Entries are added with offsets and deadlines that do not decrease, so both ends are checked at
 * the head. Owned by the runtime's thread; not thread-safe.
 */
final class DeferredReplies {

    /** One request's answer once committed, and how to answer it with an error instead. */
    record Reply(Runnable onCommitted, Consumer<Errors> onFailed) {
        /** A request's response, or its error response. */
        static Reply of(CompletableFuture<ApiMessage> future, ApiMessage response,
                Function<Errors, ApiMessage> errorResponse) {
            return new Reply(() -> future.complete(response), error -> future.complete(errorResponse.apply(error)));
        }

        void complete() {
            onCommitted.run();
        }

        void fail(Errors error) {
            onFailed.accept(error);
        }
    }

    private record Entry(long requiredOffset, long deadlineMs, List<Reply> replies) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    /** Holds {@code replies} until the high watermark reaches {@code requiredOffset}, or fails them at the deadline. */
    void add(long requiredOffset, long deadlineMs, List<Reply> replies) {
        if (!replies.isEmpty()) {
            entries.addLast(new Entry(requiredOffset, deadlineMs, List.copyOf(replies)));
        }
    }

    /** Releases the replies whose offsets the high watermark reached. */
    void release(long highWatermark) {
        while (!entries.isEmpty() && entries.peekFirst().requiredOffset() <= highWatermark) {
            entries.pollFirst().replies().forEach(Reply::complete);
        }
    }

    /** Fails with {@code error} the replies whose deadline passed; returns how many requests were failed. */
    int expire(long nowMs, Errors error) {
        int failed = 0;
        while (!entries.isEmpty() && entries.peekFirst().deadlineMs() <= nowMs) {
            List<Reply> replies = entries.pollFirst().replies();
            replies.forEach(reply -> reply.fail(error));
            failed += replies.size();
        }
        return failed;
    }

    /** Fails every waiting reply with {@code error}. */
    void failAll(Errors error) {
        while (!entries.isEmpty()) {
            entries.pollFirst().replies().forEach(reply -> reply.fail(error));
        }
    }

    /** The earliest deadline, or {@link Long#MAX_VALUE} when nothing waits. */
    long nextDeadlineMs() {
        return entries.isEmpty() ? Long.MAX_VALUE : entries.peekFirst().deadlineMs();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }
}
