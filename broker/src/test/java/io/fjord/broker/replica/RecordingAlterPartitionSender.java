package io.fjord.broker.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Records each proposal with its future, for the test to answer. Thread-safe. */
final class RecordingAlterPartitionSender implements AlterPartitionSender {
    record Submitted(Proposal proposal, CompletableFuture<Outcome> future) {
    }

    private final List<Submitted> submitted = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<Outcome> submit(Proposal proposal) {
        CompletableFuture<Outcome> future = new CompletableFuture<>();
        submitted.add(new Submitted(proposal, future));
        return future;
    }

    synchronized List<Submitted> submitted() {
        return List.copyOf(submitted);
    }

    synchronized Submitted last() {
        return submitted.get(submitted.size() - 1);
    }
}
