package io.fjord.broker.controller;

import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeClusterRequestData;
import io.fjord.raft.transport.ControllerRequestHandler;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The controller listener's handler of forwarded controller requests on a node that runs a controller: each goes to
 * the node's {@link ControllerApis}, which answers NOT_CONTROLLER for every topic or resource while the node's
 * controller is not the active one, so the forwarding node asks the new leader.
 *
 * <p>Thread-safe: holds only a thread-safe collaborator.
 */
public final class ControllerApisHandler implements ControllerRequestHandler {
    private static final Set<ApiKey> WITH_DESCRIBE_CLUSTER = withDescribeCluster();

    private final Supplier<ControllerApis> controllerApis;
    /** DescribeCluster for admin clients that bootstrap from controllers; null: not served. */
    private final ControllerClusterDescription cluster;

    public ControllerApisHandler(ControllerApis controllerApis) {
        this(() -> controllerApis);
    }

    /**
     * A handler whose controller is set after the listener is built (the listener belongs to the quorum the
     * controller runs on); it must be set before the listener starts.
     */
    public ControllerApisHandler(Supplier<ControllerApis> controllerApis) {
        this(controllerApis, null);
    }

    /** A handler that also answers DescribeCluster for controller endpoints (KIP-919) with {@code cluster}. */
    public ControllerApisHandler(Supplier<ControllerApis> controllerApis, ControllerClusterDescription cluster) {
        this.controllerApis = controllerApis;
        this.cluster = cluster;
    }

    private static Set<ApiKey> withDescribeCluster() {
        Set<ApiKey> apis = new java.util.HashSet<>(ControllerApis.APIS);
        apis.add(ApiKey.DESCRIBE_CLUSTER);
        return Set.copyOf(apis);
    }

    @Override
    public Set<ApiKey> apis() {
        return cluster == null ? ControllerApis.APIS : WITH_DESCRIBE_CLUSTER;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(ApiKey api, short version, ApiMessage request) {
        if (api == ApiKey.DESCRIBE_CLUSTER && cluster != null) {
            return CompletableFuture.completedFuture(cluster.describe((DescribeClusterRequestData) request));
        }
        return controllerApis.get().send(api, request);
    }
}
