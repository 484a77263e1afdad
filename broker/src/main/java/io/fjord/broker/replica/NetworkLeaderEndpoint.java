package io.fjord.broker.replica;

import io.fjord.broker.network.client.NodeConnection;
import io.fjord.broker.network.client.NodeConnectionSettings;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.netty.channel.EventLoop;
import io.netty.channel.ManualIoEventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LeaderEndpoint} over one Kafka protocol connection ({@link NodeConnection}) to the leader's inter-broker
 * listener, made when a request needs it. A request fails (and the fetcher backs off) when the leader's address is
 * unknown, the connection cannot be made or closes with it unanswered, or no answer comes within the request timeout
 * (Kafka's {@code replica.socket.timeout.ms}; the connection is then closed, as Kafka's network client does).
 *
 * <p>The event loop is either a shared thread of its own, or a {@link ManualIoEventLoop} that the fetcher's thread
 * drives while it waits ({@link #newWaits()}: {@link LoopWaits}), so that an answer is applied and the next request
 * sent with no hand-over between threads.
 *
 * <p>Thread-safe: {@link #send} and {@link #close} from any thread; the connection and the waiting requests are
 * owned by the event loop's thread, which also completes the futures.
 */
final class NetworkLeaderEndpoint implements LeaderEndpoint, NodeConnection.Events<NetworkLeaderEndpoint.Pending> {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkLeaderEndpoint.class);

    /** One request until it is answered or failed. Owned by the event loop. */
    static final class Pending {
        private final ApiKey api;
        private final RequestBuilder builder;
        private final CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
        private ScheduledFuture<?> deadline;
        private NodeConnection<Pending> sentOn;

        private Pending(ApiKey api, RequestBuilder builder) {
            this.api = api;
            this.builder = builder;
        }

        private void complete(ApiMessage response) {
            cancelDeadline();
            answer.complete(response);
        }

        private void fail(Throwable cause) {
            cancelDeadline();
            answer.completeExceptionally(cause);
        }

        private void cancelDeadline() {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }

    private final int leaderId;
    private final Supplier<Optional<InetSocketAddress>> leaderAddress;
    private final EventLoop loop;
    /** The loop when the fetcher's thread drives it, else null. */
    private final ManualIoEventLoop drivenLoop;
    private final NodeConnectionSettings settings;
    private final long requestTimeoutMs;
    private final String clientId;

    // Owned by the event loop.
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private NodeConnection<Pending> connection;
    private boolean closed;

    NetworkLeaderEndpoint(int leaderId, Supplier<Optional<InetSocketAddress>> leaderAddress, EventLoop loop,
            NodeConnectionSettings settings, long requestTimeoutMs, String clientId) {
        this.leaderId = leaderId;
        this.leaderAddress = leaderAddress;
        this.loop = loop;
        this.drivenLoop = loop instanceof ManualIoEventLoop manual ? manual : null;
        this.settings = settings;
        this.requestTimeoutMs = requestTimeoutMs;
        this.clientId = clientId;
    }

    @Override
    public CompletableFuture<ApiMessage> send(ApiKey api, RequestBuilder request) {
        Pending pending = new Pending(api, request);
        if (loop.inEventLoop()) {
            accept(pending); // the fetcher's thread drives the loop: no task needed
            return pending.answer;
        }
        try {
            loop.execute(() -> accept(pending));
        } catch (RejectedExecutionException e) {
            pending.fail(new IOException("the replica fetchers' network is stopped"));
        }
        return pending.answer;
    }

    private void accept(Pending pending) {
        if (closed) {
            pending.fail(new IOException("the endpoint of leader " + leaderId + " is closed"));
            return;
        }
        pending.deadline = loop.schedule(() -> expire(pending), requestTimeoutMs, TimeUnit.MILLISECONDS);
        waiting.addLast(pending);
        pump();
    }

    private void pump() {
        if (connection == null) {
            Optional<InetSocketAddress> address = leaderAddress.get();
            if (address.isEmpty()) {
                failWaiting(new IOException("broker " + leaderId + " has no address on the inter-broker listener"));
                return;
            }
            connection = new NodeConnection<>(leaderId, "leader", address.get(), loop, settings, clientId, this);
            connection.connect();
            return; // ready() pumps again
        }
        while (!waiting.isEmpty() && connection.isReady() && connection.hasRoom()) {
            sendOn(connection, waiting.poll());
        }
    }

    private void sendOn(NodeConnection<Pending> ready, Pending pending) {
        short version = ready.version(pending.api);
        if (version < 0) {
            pending.fail(new UnsupportedOperationException("broker " + leaderId + " serves no version of "
                    + pending.api + " this node can send"));
            return;
        }
        try {
            ready.send(pending, pending.api, pending.builder.build(version), version);
            pending.sentOn = ready;
        } catch (RuntimeException e) {
            pending.fail(e);
        }
    }

    @Override
    public void ready(NodeConnection<Pending> ready) {
        pump();
    }

    @Override
    public void answered(NodeConnection<Pending> from, Pending pending, ApiMessage response) {
        pending.sentOn = null;
        pending.complete(response);
        pump();
    }

    @Override
    public void closed(NodeConnection<Pending> lost, List<Pending> unanswered) {
        if (connection == lost) {
            connection = null;
        }
        IOException cause = new IOException("the connection to leader " + leaderId + " at " + lost.address()
                + " closed");
        for (Pending pending : unanswered) {
            pending.sentOn = null;
            pending.fail(cause);
        }
        // The fetcher backs off before its next request, which connects again.
        failWaiting(cause);
    }

    private void expire(Pending pending) {
        if (pending.answer.isDone()) {
            return;
        }
        waiting.remove(pending);
        if (pending.sentOn != null) {
            pending.sentOn.forget(pending);
            LOG.warn("Closing the connection to leader {}: no answer to {} within {} ms", leaderId, pending.api,
                    requestTimeoutMs);
            pending.sentOn.close();
        }
        pending.fail(new IOException("no answer from leader " + leaderId + " within " + requestTimeoutMs + " ms"));
    }

    private void failWaiting(IOException cause) {
        List<Pending> failed = new ArrayList<>(waiting);
        waiting.clear();
        failed.forEach(pending -> pending.fail(cause));
    }

    @Override
    public FetcherWaits newWaits() {
        return drivenLoop != null ? new LoopWaits(drivenLoop) : LeaderEndpoint.super.newWaits();
    }

    /**
     * Closes the connection. On a loop that a fetcher's thread drives, from another thread, this only leaves the
     * closing to that thread (which runs it at its next wait, or when it lets go of the loop) rather than waiting.
     */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeNow();
            return;
        }
        try {
            if (drivenLoop != null) {
                loop.execute(this::closeNow);
            } else {
                loop.submit(this::closeNow).awaitUninterruptibly();
            }
        } catch (RejectedExecutionException e) {
            // The event loop is gone already, and with it the connection.
        }
    }

    /** Idempotent: a fetcher's shutdown and its thread's exit both close. */
    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        failWaiting(new IOException("the endpoint of leader " + leaderId + " is closed"));
        if (connection != null) {
            connection.close(); // closed() fails what is in flight
        }
    }
}
