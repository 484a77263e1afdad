package io.fjord.broker.controller;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DescribeClusterRequestData;
import io.fjord.protocol.message.DescribeClusterResponseData;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * DescribeCluster on a controller listener (KIP-919), which Kafka's Admin client sends first when given
 * {@code bootstrap.controllers} ({@code kafka-metadata-quorum --bootstrap-controller}): the controllers (the quorum's
 * voters at their controller listeners) and the active one (the Raft leader, -1 while none is known). A request for
 * broker endpoints is MISMATCHED_ENDPOINT_TYPE, as Kafka's controller answers it.
 *
 * <p>Thread-safe: the suppliers are read per request and must be thread-safe.
 */
public final class ControllerClusterDescription {
    static final byte CONTROLLER_ENDPOINTS = 2;

    private final String clusterId;
    private final Supplier<Map<Integer, InetSocketAddress>> voterAddresses;
    private final IntSupplier activeControllerId;

    /**
     * @param voterAddresses every voter's controller listener by node id (read per request: a quorum of one knows its
     *     bound port only once its listener is bound)
     * @param activeControllerId the Raft leader's id, -1 when none is known
     */
    public ControllerClusterDescription(String clusterId, Supplier<Map<Integer, InetSocketAddress>> voterAddresses,
            IntSupplier activeControllerId) {
        this.clusterId = clusterId;
        this.voterAddresses = voterAddresses;
        this.activeControllerId = activeControllerId;
    }

    public DescribeClusterResponseData describe(DescribeClusterRequestData request) {
        DescribeClusterResponseData response = new DescribeClusterResponseData().setClusterId(clusterId)
                .setControllerId(activeControllerId.getAsInt()).setEndpointType(request.endpointType())
                .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        if (request.endpointType() != CONTROLLER_ENDPOINTS) {
            return response.setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code()).setErrorMessage(
                    "The request was sent to an endpoint of type CONTROLLER, but we wanted an endpoint of type BROKER");
        }
        new TreeMap<>(voterAddresses.get()).forEach((id, address) -> response.brokers().add(
                new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(id)
                        .setHost(address.getHostString()).setPort(address.getPort())));
        return response;
    }
}
