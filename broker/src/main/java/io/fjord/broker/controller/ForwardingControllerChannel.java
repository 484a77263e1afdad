package io.fjord.broker.controller;

import io.fjord.broker.network.client.NodeConnection;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.fjord.broker.network.NetworkTransport;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.fjord.broker.network.client.NodeConnectionSettings;
import io.fjord.raft.transport.ChannelSecurity;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ControllerChannel} of a node whose controller is not the active one: each request goes, as a Kafka
 * request, to the controller listener of the node believed to be the active controller (the metadata quorum's
 * leader, from an injected supplier; -1 when none is known), over one {@link NodeConnection} per such node.
 * A response that says NOT_CONTROLLER anywhere, a connection that closes with the request unanswered, or no known
 * controller means waiting {@code retryBackoffMs} (or the node's reconnect back-off) and sending again to whichever
 * node leads then, until the request's deadline ({@code requestTimeoutMs} after {@link #send}); then the caller gets
 * the API's error response with REQUEST_TIMED_OUT for every topic or resource ({@link ControllerResponses}), as
 * Kafka answers a forwarded request that timed out, and a connection the request was in flight on is closed (as
 * Kafka's network client drops a connection at a request timeout). When another node becomes the active controller,
 * requests in flight to the previous one are sent again to it at once (checked every {@code retryBackoffMs}), so a
 * controller cut off from the quorum does not hold a heartbeat until its lease is lost. A request is never answered
 * twice. A request
 * sent again after a lost connection may have been applied already, so its second answer may say so (a
 * TOPIC_ALREADY_EXISTS), as in Kafka.
 *
 * <p>Thread-safe: {@link #send} from any thread; all state is owned by one event loop thread
 * ({@code fjord-controller-forwarding}), which also completes the callers' futures, so their dependent stages must
 * not block. {@link #start()} creates the thread, {@link #close()} answers what is left and stops it.
 */
public final class ForwardingControllerChannel implements ControllerChannel, AutoCloseable,
        NodeConnection.Events<ForwardedRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardingControllerChannel.class);

    private final int localId;
    private final IntSupplier controllerId;
    private final java.util.function.Supplier<Map<Integer, InetSocketAddress>> controllerAddresses;
    private final ForwardingConfig config;
    private final NodeConnectionSettings connectionSettings;
    private volatile EventLoopGroup group;
    private volatile EventLoop loop;

    // Owned by the event loop.
    private final ArrayDeque<ForwardedRequest> waiting = new ArrayDeque<>();
    /** Answered NOT_CONTROLLER: back in {@link #waiting} when the retry back-off ends. */
    private final ArrayDeque<ForwardedRequest> backingOff = new ArrayDeque<>();
    private final Map<Integer, NodeConnection<ForwardedRequest>> connections = new HashMap<>();
    private final Map<Integer, Long> reconnectBackoffMs = new HashMap<>();
    private int heldRequests;
    private boolean retryScheduled;
    private boolean closed;
    /** The controller the last leader check saw; -1 before the first. */
    private int watchedLeader = -1;

    /**
     * @param localId this node's id (the client id of its requests, {@code fjord-forwarding-<id>})
     * @param controllerId the node believed to be the active controller (the Raft leader id), -1 if none is known;
     *     read on the event loop, so it must be cheap and thread-safe
     * @param controllerAddresses every voter's controller listener by node id ({@code controller.quorum.voters})
     */
    public ForwardingControllerChannel(int localId, IntSupplier controllerId,
            Map<Integer, InetSocketAddress> controllerAddresses, ForwardingConfig config) {
        this(localId, controllerId, supplierOf(Map.copyOf(controllerAddresses)), config);
    }

    private static java.util.function.Supplier<Map<Integer, InetSocketAddress>> supplierOf(
            Map<Integer, InetSocketAddress> addresses) {
        return () -> addresses;
    }

    /**
     * @param controllerAddresses the voters' controller listeners by node id as they are now (a dynamic quorum's
     *     come from its metadata log; thread-safe, read on the channel's loop)
     */
    public ForwardingControllerChannel(int localId, IntSupplier controllerId,
            java.util.function.Supplier<Map<Integer, InetSocketAddress>> controllerAddresses,
            ForwardingConfig config) {
        this(localId, controllerId, controllerAddresses, config, ChannelSecurity.PLAINTEXT);
    }

    /**
     * @param security how connections to the controller listener are protected (TLS when its protocol is SSL)
     */
    public ForwardingControllerChannel(int localId, IntSupplier controllerId,
            java.util.function.Supplier<Map<Integer, InetSocketAddress>> controllerAddresses,
            ForwardingConfig config, ChannelSecurity security) {
        this.localId = localId;
        this.controllerId = controllerId;
        this.controllerAddresses = controllerAddresses;
        this.config = config;
        this.connectionSettings = config.connectionSettings().withSecurity(security);
    }

    /** Starts the event loop thread; connections are made when the first request needs one. */
    public synchronized void start() {
        if (group == null && loop == null) {
            group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fjord-controller-forwarding", true),
                    NetworkTransport.preferred().ioHandlerFactory());
            loop = group.next();
            loop.scheduleWithFixedDelay(this::checkLeader, config.retryBackoffMs(), config.retryBackoffMs(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * When another node has become the active controller, requests in flight to the previous one are sent again to
     * the new one at once: a controller cut off from the quorum may never answer them, and waiting out the request
     * timeout would let a heartbeat miss its lease (the controller would fence this broker).
     */
    private void checkLeader() {
        if (closed) {
            return;
        }
        int leader = controllerId.getAsInt();
        if (leader < 0 || leader == watchedLeader) {
            return;
        }
        watchedLeader = leader;
        List<NodeConnection<ForwardedRequest>> stale = new ArrayList<>();
        connections.forEach((nodeId, connection) -> {
            if (nodeId != leader && !connection.isIdle()) {
                stale.add(connection);
            }
        });
        for (NodeConnection<ForwardedRequest> connection : stale) {
            LOG.info("Controller {} took over from {}: sending the requests in flight to {} again", leader,
                    connection.nodeId(), leader);
            connection.close(); // its unanswered requests come back through closed(), first in line
        }
        pump();
    }

    @Override
    public CompletableFuture<ApiMessage> send(ApiKey api, ApiMessage request) {
        if (!ControllerResponses.FORWARDED_APIS.contains(api)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(api + " is not a controller API"));
        }
        CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
        ForwardedRequest forwarded = new ForwardedRequest(api, request, answer);
        EventLoop current = loop;
        try {
            if (current == null) {
                throw new RejectedExecutionException("not started");
            }
            current.execute(() -> accept(forwarded));
        } catch (RejectedExecutionException e) {
            forwarded.answer(failure(forwarded, Errors.REQUEST_TIMED_OUT, "the controller channel is not running"));
        }
        return answer;
    }

    private void accept(ForwardedRequest request) {
        if (closed) {
            request.answer(failure(request, Errors.REQUEST_TIMED_OUT, "the controller channel is closed"));
            return;
        }
        if (heldRequests >= config.queuedRequestsMax()) {
            request.answer(failure(request, Errors.REQUEST_TIMED_OUT, heldRequests
                    + " requests are already waiting for the controller"));
            return;
        }
        heldRequests++;
        request.deadline(loop.schedule(() -> expire(request), config.requestTimeoutMs(), TimeUnit.MILLISECONDS));
        waiting.addLast(request);
        pump();
    }

    /** Sends what waits to the current controller, as far as its connection allows. */
    private void pump() {
        if (closed) {
            return;
        }
        int leader = controllerId.getAsInt();
        while (!waiting.isEmpty()) {
            InetSocketAddress address = controllerAddresses.get().get(leader);
            if (address == null) {
                if (leader >= 0) {
                    LOG.debug("Controller {} has no known address yet", leader);
                }
                retryLater(config.retryBackoffMs());
                break;
            }
            NodeConnection<ForwardedRequest> connection = connections.get(leader);
            if (connection == null) {
                connection = new NodeConnection<>(leader, "controller", address, loop, connectionSettings,
                        "fjord-forwarding-" + localId, this);
                connections.put(leader, connection);
                connection.connect();
                break; // ready() pumps again
            }
            if (!connection.isReady() || !connection.hasRoom()) {
                break; // ready(), answered() or the reconnect pump again
            }
            sendOn(connection, waiting.poll());
        }
        closeIdleConnections(leader);
    }

    private void sendOn(NodeConnection<ForwardedRequest> connection, ForwardedRequest request) {
        short version = connection.version(request.api());
        if (version < 0) {
            answer(request, failure(request, Errors.UNSUPPORTED_VERSION, "controller " + connection.nodeId()
                    + " serves no version of " + request.api() + " this node can send"));
            return;
        }
        try {
            connection.send(request, request.api(), request.body(), version);
            request.connection(connection);
        } catch (RuntimeException e) {
            answer(request, failure(request, Errors.UNKNOWN_SERVER_ERROR, request.api() + " v" + version
                    + " does not encode: " + e.getMessage()));
        }
    }

    /** A connection to a node that no longer leads goes once nothing is in flight on it. */
    private void closeIdleConnections(int leader) {
        List<NodeConnection<ForwardedRequest>> idle = new ArrayList<>();
        connections.forEach((nodeId, connection) -> {
            if (nodeId != leader && connection.isReady() && connection.isIdle()) {
                idle.add(connection);
            }
        });
        idle.forEach(NodeConnection::close);
    }

    private void retryLater(long delayMs) {
        if (!retryScheduled) {
            retryScheduled = true;
            loop.schedule(() -> {
                retryScheduled = false;
                while (!backingOff.isEmpty()) {
                    waiting.addFirst(backingOff.pollLast()); // ahead of newer requests, in their order
                }
                pump();
            }, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void ready(NodeConnection<ForwardedRequest> connection) {
        reconnectBackoffMs.remove(connection.nodeId());
        pump();
    }

    @Override
    public void answered(NodeConnection<ForwardedRequest> connection, ForwardedRequest request,
            ApiMessage response) {
        request.connection(null);
        if (ControllerResponses.isNotController(request.api(), response)) {
            LOG.debug("Controller {} answered NOT_CONTROLLER to {}: sending it again", connection.nodeId(),
                    request.api());
            backingOff.addLast(request);
            retryLater(config.retryBackoffMs());
            pump();
            return;
        }
        answer(request, response);
        pump();
    }

    @Override
    public void closed(NodeConnection<ForwardedRequest> connection, List<ForwardedRequest> unanswered) {
        unanswered.forEach(request -> request.connection(null));
        if (closed) {
            connections.remove(connection.nodeId(), connection);
            unanswered.forEach(request -> answer(request, failure(request, Errors.REQUEST_TIMED_OUT,
                    "the controller channel is closed")));
            return;
        }
        for (int i = unanswered.size() - 1; i >= 0; i--) {
            waiting.addFirst(unanswered.get(i)); // again, first and in their order
        }
        long delayMs;
        if (connection.wasReady()) {
            delayMs = config.reconnectBackoffMs();
        } else {
            delayMs = reconnectBackoffMs.merge(connection.nodeId(), config.reconnectBackoffMs(),
                    (previous, first) -> Math.min(previous * 2, config.reconnectBackoffMaxMs()));
        }
        if (!unanswered.isEmpty()) {
            LOG.info("Connection to controller {} lost with {} requests unanswered: sending them again",
                    connection.nodeId(), unanswered.size());
        }
        // The closed connection stays in place during the back-off, so that nothing reconnects before it ends.
        loop.schedule(() -> {
            connections.remove(connection.nodeId(), connection);
            pump();
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /** The deadline: answered with REQUEST_TIMED_OUT; a connection it was in flight on is closed. */
    private void expire(ForwardedRequest request) {
        if (request.isAnswered()) {
            return;
        }
        waiting.remove(request);
        backingOff.remove(request);
        NodeConnection<ForwardedRequest> connection = request.connection();
        if (connection != null) {
            connection.forget(request);
            LOG.warn("Closing the connection to controller {}: no answer to {} within {} ms", connection.nodeId(),
                    request.api(), config.requestTimeoutMs());
            connection.close();
        }
        answer(request, failure(request, Errors.REQUEST_TIMED_OUT, "no answer from the active controller within "
                + config.requestTimeoutMs() + " ms"));
    }

    private void answer(ForwardedRequest request, ApiMessage response) {
        if (!request.isAnswered()) {
            heldRequests--;
            request.answer(response);
        }
    }

    private static ApiMessage failure(ForwardedRequest request, Errors error, String message) {
        return ControllerResponses.failure(request.api(), request.body(), new ForwardingException(error, message));
    }

    /** Answers every request still held with REQUEST_TIMED_OUT, closes the connections and stops the thread. */
    @Override
    public synchronized void close() {
        if (group == null) {
            return;
        }
        loop.submit(() -> {
            closed = true;
            List<ForwardedRequest> held = new ArrayList<>(waiting);
            held.addAll(backingOff);
            waiting.clear();
            backingOff.clear();
            for (ForwardedRequest request : held) {
                answer(request, failure(request, Errors.REQUEST_TIMED_OUT, "the controller channel is closed"));
            }
            // In-flight requests are answered as their connections report the close (closed(), on this thread).
            new ArrayList<>(connections.values()).forEach(NodeConnection::close);
        }).awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        group = null; // a second close does nothing; send() finds the loop terminated and answers at once
    }
}
