package io.fjord.broker.replica;

import io.fjord.protocol.message.ApiMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Steps the production replica fetchers of a {@link ReplicaFetcherManager} that was never started (no threads):
 * each call sends a round for every fetcher without one in flight, and applies the rounds whose answers arrived. For
 * the replication simulation, which runs everything on one thread in simulated time.
 *
 * <p>Not thread-safe: the simulation's one thread calls it.
 */
public final class SteppedReplicaFetchers {
    private final ReplicaFetcherManager manager;
    private final Map<ReplicaFetcher, ReplicaFetcher.Round> inFlight = new IdentityHashMap<>();

    public SteppedReplicaFetchers(ReplicaFetcherManager manager) {
        this.manager = manager;
    }

    /**
     * Applies every round whose answer arrived (or failed), then sends a round for each fetcher without one in
     * flight. Returns the answers now awaited, so the caller can step again when one arrives.
     */
    public List<CompletableFuture<ApiMessage>> step() throws InterruptedException {
        List<ReplicaFetcher> current = manager.fetchers();
        for (Map.Entry<ReplicaFetcher, ReplicaFetcher.Round> entry : List.copyOf(inFlight.entrySet())) {
            if (entry.getValue().response().isDone()) {
                inFlight.remove(entry.getKey());
                entry.getKey().completeRound(entry.getValue());
            }
        }
        // Fetchers shut down meanwhile are forgotten (their answers, if any, would be stale anyway).
        Set<ReplicaFetcher> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(current);
        inFlight.keySet().retainAll(live);
        List<CompletableFuture<ApiMessage>> awaited = new ArrayList<>();
        for (ReplicaFetcher fetcher : manager.fetchers()) {
            ReplicaFetcher.Round round = inFlight.get(fetcher);
            if (round == null) {
                round = fetcher.sendRound();
                if (round == null) {
                    continue;
                }
                inFlight.put(fetcher, round);
            }
            awaited.add(round.response());
        }
        return awaited;
    }
}
