package io.fjord.raft.transport;

import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.codec.RequestDecoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddRaftVoterRequestData;
import io.fjord.protocol.message.AddRaftVoterResponseData;
import io.fjord.protocol.message.UpdateRaftVoterRequestData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.raft.AddRaftVoterRequest;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.RemoveRaftVoterRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection accepted by a Raft node's listener: decodes each request (Kafka framing and header), answers
 * ApiVersions and DescribeQuorum itself, hands Raft requests to the node, noting where their responses go, and
 * controller requests (CreateTopics, BrokerRegistration, ...) to the transport's {@link ControllerRequestHandler},
 * answering each when its future completes (possibly out of request order; clients pair by correlation id). A frame
 * that does not decode closes the connection with a logged reason; a request for another cluster or partition is
 * answered with Kafka's error and never reaches the node. While {@code pendingRequestsMax} controller responses are
 * owed on the connection it stops reading (requests already read still go to the handler). With an authorizer every
 * request but ApiVersions is checked first ({@link ControllerListenerAuthorization}), with the connection's principal.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
final class InboundConnection extends SimpleChannelInboundHandler<ByteBuffer> {
    private static final Logger LOG = LoggerFactory.getLogger(InboundConnection.class);
    private final RaftTransport transport;
    private final RequestDecoder decoder;
    /** Controller responses owed on this connection (only its event loop touches it). */
    private int owedControllerResponses;
    /** This connection's source id for admin requests (0 until the first one; only its event loop touches it). */
    private int adminSourceId;
    /** The connection's authentication on a SASL listener; made at its first request (only its event loop). */
    private InboundGate gate;
    /** Who sends on this connection, once worked out for an authorizer (only its event loop). */
    private InboundPrincipal principal;

    InboundConnection(RaftTransport transport) {
        this.transport = transport;
        this.decoder = new RequestDecoder(transport.listenerApis());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, ByteBuffer frame) {
        Channel channel = context.channel();
        if (isNewerApiVersions(frame)) {
            // As Kafka answers (KIP-511): a v0 answer with UNSUPPORTED_VERSION and the APIs served, so the client
            // asks again at a version both know (Kafka 4.4 clients start at v5).
            int correlationId = frame.getInt(frame.position() + 4);
            write(channel, ApiKey.API_VERSIONS, (short) 0, correlationId, transport.listenerApis().apiVersions()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
            return;
        }
        DecodedRequest request;
        try {
            request = decoder.decode(frame);
        } catch (RequestParseException e) {
            LOG.warn("Closing Raft connection from {}: {}", channel.remoteAddress(), e.getMessage());
            channel.close();
            return;
        }
        if (!admitted(channel, request) || !authorized(channel, request)) {
            return;
        }
        switch (request.apiKey()) {
            case API_VERSIONS -> respond(channel, request, transport.listenerApis().apiVersions());
            case DESCRIBE_QUORUM -> transport.describeQuorum().whenComplete((quorum, failure) -> {
                try {
                    respond(channel, request, DescribeQuorumMapper.describeQuorum(quorum, failure,
                            request.apiVersion(), transport.voterAddresses(), transport.listenerName()));
                } catch (RuntimeException e) {
                    // Thrown in a callback nobody reads: without this the client would wait for its timeout.
                    LOG.warn("Closing Raft connection from {}: cannot answer DescribeQuorum v{}: {}",
                            channel.remoteAddress(), request.apiVersion(), e.toString());
                    channel.close();
                }
            });
            case ADD_RAFT_VOTER, REMOVE_RAFT_VOTER -> {
                if (transport.config().staticVoters() && !transport.hasDynamicVoters()) {
                    // kraft.version 0: the voters are controller.quorum.voters' until the upgrade to 1.
                    respond(channel, request, StaticVoters.refusal(request.apiKey()));
                } else if (request.body() instanceof AddRaftVoterRequestData add
                        && lacksControllerListener(add.listeners().stream().map(l -> l.name()).toList())) {
                    respond(channel, request, new AddRaftVoterResponseData()
                            .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Voter " + add.voterId()
                                    + " has no endpoint for the controller listener "
                                    + transport.listenerName()));
                } else {
                    toNode(channel, request);
                }
            }
            case UPDATE_RAFT_VOTER -> {
                if (request.body() instanceof UpdateRaftVoterRequestData update
                        && lacksControllerListener(update.listeners().stream().map(l -> l.name()).toList())) {
                    // Kafka's leader refuses a voter that no longer listens on the controller listener.
                    respond(channel, request, RaftMessageMapper.errorResponse(request.apiKey(),
                            Errors.INVALID_REQUEST));
                } else {
                    toNode(channel, request);
                }
            }
            default -> {
                transport.learnEndpoints(request.body());
                if (transport.listenerApis().isControllerApi(request.apiKey())) {
                    toController(context, request);
                } else {
                    toNode(channel, request);
                }
            }
        }
    }

    /**
     * On a SASL listener, whether the connection's authentication lets {@code request} through; SaslHandshake and
     * SaslAuthenticate are answered here, and a request out of sequence or a failed login closes the connection.
     */
    private boolean admitted(Channel channel, DecodedRequest request) {
        TransportSasl sasl = transport.config().sasl();
        if (sasl == null || sasl.inbound() == null) {
            return true;
        }
        if (gate == null) {
            gate = sasl.inbound().apply(channel.remoteAddress());
        }
        InboundGate.Decision decision = gate.onRequest(request.apiKey(), request.apiVersion(), request.body(),
                System.currentTimeMillis());
        if (decision instanceof InboundGate.Decision.Respond respond) {
            ChannelFuture sent = respond(channel, request, respond.response());
            if (respond.failure() != null) {
                LOG.warn("Closing controller connection from {}: {}", channel.remoteAddress(), respond.failure());
                sent.addListener(ChannelFutureListener.CLOSE); // once the client has its answer
            }
            return false;
        } else if (decision instanceof InboundGate.Decision.Close close) {
            LOG.warn("Closing controller connection from {}: {}", channel.remoteAddress(), close.reason());
            channel.close();
            return false;
        }
        return true;
    }

    /**
     * With an authorizer, whether the connection's principal may send {@code request} (as Kafka's ControllerApis
     * checks it): a Raft API that it may not is answered with CLUSTER_AUTHORIZATION_FAILED here; controller APIs are
     * checked when handed on ({@link #toController}); ApiVersions is never checked. A certificate that no
     * {@code ssl.principal.mapping.rules} rule maps closes the connection, as Kafka refuses such a client.
     */
    private boolean authorized(Channel channel, DecodedRequest request) {
        ControllerListenerAuthorization checks = transport.config().authorization();
        if (!checks.enabled() || request.apiKey() == ApiKey.API_VERSIONS) {
            return true;
        }
        if (principal == null) {
            String user = gate != null ? gate.user() : null;
            if (user == null) {
                user = transport.config().channelSecurity().peerUser(channel).orElse(null);
            }
            if (user == null) {
                LOG.warn("Closing controller connection from {}: no ssl.principal.mapping.rules rule applies to the "
                        + "client certificate's name", channel.remoteAddress());
                channel.close();
                return false;
            }
            principal = new InboundPrincipal(user, channel.remoteAddress());
        }
        if (transport.listenerApis().isControllerApi(request.apiKey()) || checks.allows(principal, request.apiKey())) {
            return true;
        }
        respond(channel, request, RaftMessageMapper.errorResponse(request.apiKey(),
                Errors.CLUSTER_AUTHORIZATION_FAILED));
        return false;
    }

    /**
     * Whether a voter's listener names leave out the controller listener (Kafka refuses such an AddRaftVoter or
     * UpdateRaftVoter); checked where voters carry endpoints (a dynamic quorum, or one upgraded to kraft.version 1).
     */
    private boolean lacksControllerListener(java.util.List<String> listenerNames) {
        return (transport.config().dynamicQuorum() != null || transport.hasDynamicVoters())
                && listenerNames.stream().noneMatch(name -> transport.listenerName().equalsIgnoreCase(name));
    }

    /** Whether {@code frame} is an ApiVersions request above the newest version this listener serves. */
    private static boolean isNewerApiVersions(ByteBuffer frame) {
        return frame.remaining() >= 8 && frame.getShort(frame.position()) == ApiKey.API_VERSIONS.id()
                && frame.getShort(frame.position() + 2) > RaftApis.highestVersion(ApiKey.API_VERSIONS);
    }

    private void toController(ChannelHandlerContext context, DecodedRequest request) {
        Channel channel = context.channel();
        CompletableFuture<ApiMessage> answer;
        try {
            answer = transport.config().authorization().handle(principal, request, transport.controllerHandler());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        owedControllerResponses++;
        if (owedControllerResponses >= transport.config().pendingRequestsMax()) {
            channel.config().setAutoRead(false); // back-pressure: the sender waits for answers
        }
        answer.whenComplete((response, failure) -> channel.eventLoop().execute(
                () -> answered(context, request, response, failure)));
    }

    /** A controller response is ready: written on its connection, or the connection closed when there is none. */
    private void answered(ChannelHandlerContext context, DecodedRequest request, ApiMessage response,
            Throwable failure) {
        Channel channel = context.channel();
        owedControllerResponses--;
        if (!channel.config().isAutoRead() && owedControllerResponses < transport.config().pendingRequestsMax()) {
            channel.config().setAutoRead(true);
        }
        if (!channel.isActive()) {
            return;
        }
        if (failure != null) {
            LOG.warn("Closing controller connection from {}: {} failed: {}", channel.remoteAddress(),
                    request.apiKey(), failure.toString());
            channel.close();
            return;
        }
        try {
            respond(channel, request, response);
        } catch (RuntimeException e) {
            LOG.warn("Closing controller connection from {}: the {} response does not encode: {}",
                    channel.remoteAddress(), request.apiKey(), e.toString());
            channel.close();
        }
    }

    private void toNode(Channel channel, DecodedRequest request) {
        RaftMessage message;
        try {
            message = transport.mapper().fromRequest(request.body(), request.correlationId());
        } catch (InvalidRaftMessageException e) {
            LOG.debug("Refusing a {} request from {}: {}", request.apiKey(), channel.remoteAddress(), e.getMessage());
            respond(channel, request, RaftMessageMapper.errorResponse(request.apiKey(), e.error()));
            return;
        }
        transport.received(withAdminSource(message), channel, request.apiKey(), request.apiVersion());
    }

    /**
     * An admin's voter change gets this connection's own source id, so that answers to two admin clients using the
     * same correlation id at once cannot be swapped (the route is keyed by source and correlation id).
     */
    private RaftMessage withAdminSource(RaftMessage message) {
        if (message instanceof AddRaftVoterRequest add) {
            return new AddRaftVoterRequest(adminSourceId(), add.destination(), add.correlationId(), add.timeoutMs(),
                    add.voterId(), add.voterDirectoryId(), add.ackWhenCommitted(), add.listeners());
        } else if (message instanceof RemoveRaftVoterRequest remove) {
            return new RemoveRaftVoterRequest(adminSourceId(), remove.destination(), remove.correlationId(),
                    remove.voterId(), remove.voterDirectoryId());
        }
        return message;
    }

    private int adminSourceId() {
        if (adminSourceId == 0) {
            adminSourceId = transport.nextAdminSourceId();
        }
        return adminSourceId;
    }

    static ChannelFuture respond(Channel channel, DecodedRequest request, ApiMessage response) {
        return write(channel, request.apiKey(), request.apiVersion(), request.correlationId(), response);
    }

    static ChannelFuture write(Channel channel, ApiKey apiKey, short apiVersion, int correlationId,
            ApiMessage response) {
        EncodedResponse encoded = ResponseEncoder.encode(apiKey, apiVersion, correlationId, response);
        ByteBuffer[] parts = encoded.parts().stream().map(part -> (ByteBuffer) part).toArray(ByteBuffer[]::new);
        return channel.writeAndFlush(Unpooled.wrappedBuffer(parts));
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        transport.forgetRoutes(context.channel());
        super.channelInactive(context);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.warn("Closing Raft connection from {}: {}", context.channel().remoteAddress(), cause.toString());
        context.close();
    }
}
