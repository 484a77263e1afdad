package io.fjord.broker.controller;

import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.raft.driver.QuorumDescription;
import io.fjord.raft.transport.ControllerRequestHandler;
import io.fjord.raft.transport.RaftMessageMapper;
import io.fjord.raft.transport.RaftTransport;
import io.fjord.raft.transport.TransportConfig;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A controller node's listener for tests: a real {@link RaftTransport} on an ephemeral loopback port whose
 * controller requests go to a test function; it notes each request's API and version. Restartable on its port.
 *
 * <p>Thread-safe.
 */
final class ControllerNodeFixture implements AutoCloseable {
    record Received(ApiKey api, short version, ApiMessage request) {
    }

    private final int nodeId;
    private final Set<ApiKey> apis;
    private final Map<ApiKey, Short> highestVersions;
    final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Received, CompletableFuture<ApiMessage>> answers;
    private RaftTransport transport;
    private int port;

    ControllerNodeFixture(int nodeId, Set<ApiKey> apis, Map<ApiKey, Short> highestVersions,
            Function<Received, CompletableFuture<ApiMessage>> answers) {
        this.nodeId = nodeId;
        this.apis = apis;
        this.highestVersions = highestVersions;
        this.answers = answers;
    }

    void answers(Function<Received, CompletableFuture<ApiMessage>> newAnswers) {
        this.answers = newAnswers;
    }

    /** Binds an ephemeral port the first time, the same port after a {@link #stop()}. */
    synchronized ControllerNodeFixture start() throws InterruptedException {
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", port);
        TransportConfig config = new TransportConfig(listen, Map.of(nodeId, listen), "cluster", 1024 * 1024, 64, 16,
                50, 1000, 5000, 1);
        RaftMessageMapper mapper = new RaftMessageMapper(nodeId, "cluster", Set.of(nodeId), 1024, 1000,
                "127.0.0.1", port);
        transport = new RaftTransport(nodeId, config, mapper, message -> true,
                () -> CompletableFuture.completedFuture(new QuorumDescription(nodeId, 1, 0, List.of(), List.of())),
                peer -> { }, new ControllerRequestHandler() {
                    @Override
                    public Set<ApiKey> apis() {
                        return apis;
                    }

                    @Override
                    public short highestVersion(ApiKey api) {
                        return highestVersions.getOrDefault(api, ControllerRequestHandler.super.highestVersion(api));
                    }

                    @Override
                    public CompletableFuture<ApiMessage> handle(ApiKey api, short version, ApiMessage request) {
                        Received one = new Received(api, version, request);
                        received.add(one);
                        return answers.apply(one);
                    }
                });
        transport.start();
        port = transport.boundAddress().getPort();
        return this;
    }

    synchronized InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    synchronized void stop() {
        if (transport != null) {
            transport.close();
            transport = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
