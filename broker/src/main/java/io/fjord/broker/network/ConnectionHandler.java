package io.fjord.broker.network;

import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.codec.RequestDecoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FileRegionRecords;
import io.fjord.broker.security.sasl.SaslAuthenticator;
import io.fjord.broker.security.sasl.SaslDecision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.fjord.broker.network.tls.TlsChannelSecurity;
import io.fjord.raft.transport.ChannelSecurity;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one connection: requests are handled one at a time in arrival order, so responses leave in request order
 * (Kafka's discipline; it also keeps an idempotent producer's batches in order). A few requests are read ahead; past
 * that, or while the client does not drain its responses, reading stops.
 *
 * <p>When the client closes the connection, the requests it sent before are still handled in order (an acks=0
 * producer's last batches are appended, as Kafka does) and their responses dropped. When this node closes it (a bad
 * request, a failed handler, idleness, shutdown), the requests still queued are dropped.
 *
 * <p>Not thread-safe: one instance per connection; all its state is touched only on the connection's event loop
 * (handler completions hop back onto it).
 */
final class ConnectionHandler extends ChannelDuplexHandler implements FrameSink {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);

    private final long connectionId;
    private final String listenerName;
    private final RequestDispatcher dispatcher;
    private final RequestDecoder decoder;
    private final RequestMemoryPool memoryPool;
    private final ReadGate readGate;
    private final int queuedRequestsMax;
    private final InFlightTracker inFlightTracker;
    private final ConnectionLog log;
    private final Thread.UncaughtExceptionHandler fatalErrors;
    /** The connection's SASL state on a SASL listener; null on others. */
    private final SaslAuthenticator authenticator;
    private final ChannelSecurity security;
    /** {@code connection.failed.authentication.delay.ms}. */
    private final long failedAuthenticationDelayMs;
    private final Queue<Frame> pending = new ArrayDeque<>();
    private ChannelHandlerContext context;
    private Frame current;
    /** This node closed the connection: nothing more is handled. */
    private boolean closedHere;
    private boolean inactive;
    /** Who the client authenticated as: ANONYMOUS until a TLS handshake with a client certificate says otherwise. */
    private Principal principal = Principal.ANONYMOUS;
    /** How handlers ask for this connection to be muted after a request (quota throttling). */
    private final ConnectionThrottle throttle = new ConnectionThrottle();
    /** Muted by a quota throttle until its timer fires. */
    private boolean muted;

    ConnectionHandler(long connectionId, String listenerName, RequestDispatcher dispatcher,
                      RequestMemoryPool memoryPool, ReadGate readGate, int queuedRequestsMax,
                      InFlightTracker inFlightTracker, ConnectionLog log,
                      Thread.UncaughtExceptionHandler fatalErrors) {
        this(connectionId, listenerName, dispatcher, memoryPool, readGate, queuedRequestsMax, inFlightTracker, log,
                fatalErrors, ChannelSecurity.PLAINTEXT, null, 0);
    }

    /**
     * @param security      the listener's protection: on an encrypted connection file regions are copied in chunks
     *                      through it, and a TLS handshake gives the connection its principal
     * @param authenticator the connection's SASL state on a SASL listener (whose principal then wins over the
     *                      certificate's, as Kafka's on SASL_SSL), null on others
     * @param failedAuthenticationDelayMs how long the answer to a failed SASL authentication waits (KIP-306)
     */
    ConnectionHandler(long connectionId, String listenerName, RequestDispatcher dispatcher,
                      RequestMemoryPool memoryPool, ReadGate readGate, int queuedRequestsMax,
                      InFlightTracker inFlightTracker, ConnectionLog log,
                      Thread.UncaughtExceptionHandler fatalErrors, ChannelSecurity security,
                      SaslAuthenticator authenticator, long failedAuthenticationDelayMs) {
        this.security = security;
        this.failedAuthenticationDelayMs = failedAuthenticationDelayMs;
        this.authenticator = authenticator;
        this.connectionId = connectionId;
        this.listenerName = listenerName;
        this.dispatcher = dispatcher;
        this.decoder = new RequestDecoder(dispatcher);
        this.memoryPool = memoryPool;
        this.readGate = readGate;
        this.queuedRequestsMax = queuedRequestsMax;
        this.inFlightTracker = inFlightTracker;
        this.log = log;
        this.fatalErrors = fatalErrors;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext added) {
        context = added; // frames arrive through FrameSink, also after the pipeline let go of its handlers
    }

    @Override
    public void frameReceived(Frame frame) {
        if (closedHere) {
            drop(frame);
            return;
        }
        pending.add(frame);
        if (pending.size() >= queuedRequestsMax && !inactive) {
            readGate.pause(ReadGate.Reason.QUEUE);
        }
        if (current == null) {
            processNext();
        }
    }

    private void processNext() {
        while (current == null && !pending.isEmpty() && !closedHere && !muted) {
            current = pending.poll();
            if (pending.size() < queuedRequestsMax && !inactive) {
                readGate.resume(ReadGate.Reason.QUEUE);
            }
            ByteBuffer bytes = current.content().nioBuffer();
            DecodedRequest request;
            try {
                request = decoder.decode(bytes);
            } catch (RequestParseException e) {
                refuse(e);
                continue;
            }
            Principal requester = principal;
            if (authenticator != null) {
                if (!admitted(request)) {
                    continue;
                }
                requester = authenticator.principal();
            }
            inFlightTracker.started();
            RequestContext requestContext = new RequestContext(connectionId, listenerName,
                    context.channel().remoteAddress(), System.nanoTime(), requester, throttle);
            Frame frame = current;
            try {
                dispatcher.dispatch(requestContext, request).whenComplete((response, error) -> {
                    try {
                        context.executor().execute(() -> completeOnEventLoop(frame, request, response, error));
                    } catch (RejectedExecutionException e) {
                        abandon(frame, response);
                    }
                });
            } catch (RuntimeException e) {
                complete(frame, request, null, e);
            }
        }
    }

    /**
     * Lets the SASL state decide a request: true to dispatch it; else it was answered here (SaslHandshake,
     * SaslAuthenticate, on the event loop as Kafka's network threads do: the exchange costs a few HMACs) or the
     * connection was closed, and the request is finished.
     */
    private boolean admitted(DecodedRequest request) {
        SaslDecision decision = authenticator.onRequest(request.apiKey(), request.apiVersion(), request.body(),
                System.nanoTime() / 1_000_000);
        if (decision instanceof SaslDecision.Dispatch) {
            return true;
        }
        java.net.SocketAddress client = context.channel().remoteAddress();
        if (decision instanceof SaslDecision.Respond respond) {
            EncodedResponse answer = ResponseEncoder.encode(request.apiKey(), request.apiVersion(),
                    request.correlationId(), respond.response());
            finishCurrent();
            if (respond.failure() == null) {
                write(answer);
                return false;
            }
            log.warn(ConnectionLog.Cause.AUTHENTICATION_FAILURE, client, "Failed authentication with {} ({})",
                    client, respond.failure());
            closedHere = true;
            dropPending();
            if (failedAuthenticationDelayMs <= 0) {
                answerFailedAuthentication(answer);
            } else {
                // KIP-306: the answer, and so the close, waits, so that a password-guessing client cannot retry
                // at once; nothing more is read meanwhile.
                readGate.pause(ReadGate.Reason.FAILED_AUTHENTICATION);
                context.executor().schedule(() -> answerFailedAuthentication(answer), failedAuthenticationDelayMs,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            return false;
        }
        log.warn(ConnectionLog.Cause.SASL_STATE, client, "Closing connection {} from {}: {}", connectionId, client,
                ((SaslDecision.Close) decision).reason());
        finishCurrent();
        closeHere();
        return false;
    }

    /** Sends a failed authentication's answer, then closes the connection. */
    private void answerFailedAuthentication(EncodedResponse answer) {
        write(answer);
        // After the answer: writes leave in order, so the close follows the flushed response.
        context.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void refuse(RequestParseException e) {
        if (e.reason() == RequestParseException.Reason.UNSUPPORTED_VERSION && e.apiKey() == ApiKey.API_VERSIONS.id()) {
            // Kafka answers an ApiVersions it cannot parse with v0 and UNSUPPORTED_VERSION, so the client can
            // retry with a version from the list.
            EncodedResponse response = ResponseEncoder.encode(ApiKey.API_VERSIONS, (short) 0, e.correlationId(),
                    dispatcher.unsupportedApiVersionsResponse());
            write(response);
            finishCurrent();
            return;
        }
        ConnectionLog.Cause cause = switch (e.reason()) {
            case MALFORMED -> ConnectionLog.Cause.MALFORMED_REQUEST;
            case UNKNOWN_API_KEY -> ConnectionLog.Cause.UNKNOWN_API_KEY;
            case UNSUPPORTED_VERSION -> ConnectionLog.Cause.UNSUPPORTED_VERSION;
        };
        log.warn(cause, context.channel().remoteAddress(), "Closing connection {} from {}: {}", connectionId,
                context.channel().remoteAddress(), e.getMessage());
        finishCurrent();
        closeHere();
    }

    /** Handler completions run here; Netty would only log (and so hide) an error escaping an event-loop task. */
    private void completeOnEventLoop(Frame frame, DecodedRequest request, ApiMessage response, Throwable error) {
        try {
            complete(frame, request, response, error);
        } catch (VirtualMachineError e) {
            fatalErrors.uncaughtException(Thread.currentThread(), e);
        }
    }

    private void complete(Frame frame, DecodedRequest request, ApiMessage response, Throwable error) {
        inFlightTracker.finished();
        if (frame != current) {
            if (response != null) {
                ResponseResources.release(response);
            }
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                    : error;
            if (cause instanceof ConnectionCloseRequest close) {
                log.info(ConnectionLog.Cause.CLOSE_REQUESTED, context.channel().remoteAddress(),
                        "Closing the connection from {} after {} v{} (correlation id {}, client id {}): {}",
                        context.channel().remoteAddress(), request.apiKey(), request.apiVersion(),
                        request.correlationId(), request.clientId(), close.getMessage());
                finishCurrent();
                closeHere();
                return;
            }
            if (cause instanceof VirtualMachineError fatal) {
                // The node cannot be trusted to go on serving.
                fatalErrors.uncaughtException(Thread.currentThread(), fatal);
            }
            log.error(ConnectionLog.Cause.HANDLER_FAILURE, context.channel().remoteAddress(),
                    "Handling {} v{} from {} failed; closing the connection", request.apiKey(),
                    request.apiVersion(), context.channel().remoteAddress(), cause);
            finishCurrent();
            closeHere();
            return;
        }
        if (response != null) {
            // On a closed connection write() drops the response, running its file regions' release.
            EncodedResponse encoded;
            try {
                encoded = ResponseEncoder.encode(request.apiKey(), request.apiVersion(), request.correlationId(),
                        response);
            } catch (RuntimeException e) {
                log.error(ConnectionLog.Cause.RESPONSE_ENCODING_FAILURE, context.channel().remoteAddress(),
                        "Cannot encode the {} v{} response; closing the connection", request.apiKey(),
                        request.apiVersion(), e);
                ResponseResources.release(response);
                finishCurrent();
                closeHere();
                return;
            }
            write(encoded);
        }
        finishCurrent();
        long muteMs = throttle.takeMuteMs();
        if (muteMs > 0 && !closedHere) {
            mute(muteMs);
            return;
        }
        processNext();
    }

    /** After a throttled request's response: no reads, no requests handled, until the throttle time has passed. */
    private void mute(long muteMs) {
        muted = true;
        readGate.pause(ReadGate.Reason.THROTTLE);
        try {
            context.executor().schedule(this::unmute, muteMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            muted = false; // the event loop is shutting down: the connection closes anyway
        }
    }

    private void unmute() {
        muted = false;
        if (!closedHere && !inactive) {
            readGate.resume(ReadGate.Reason.THROTTLE);
        }
        processNext();
    }

    /**
     * Gives back what a request holds when it completes after its event loop stopped (shutdown gave up waiting): the
     * connection is closed, so the response is dropped. Runs on the completing thread; the handler is no longer used.
     */
    private void abandon(Frame frame, ApiMessage response) {
        inFlightTracker.finished();
        drop(frame);
        if (response != null) {
            ResponseResources.release(response);
        }
    }

    private void write(EncodedResponse response) {
        if (!context.channel().isActive()) {
            response.release();
            return;
        }
        if (security.isEncrypted() && TlsResponseChunks.hasFileRegions(response)) {
            context.write(new TlsResponseChunks(response)); // through the pipeline's chunker, in whole TLS records
        } else if (!security.isEncrypted() && CopiedResponse.worthCopying(response)) {
            ByteBuf whole;
            try {
                whole = CopiedResponse.copy(response, context.alloc());
            } catch (IOException e) {
                log.warn(ConnectionLog.Cause.RESPONSE_READ_FAILURE, context.channel().remoteAddress(),
                        "Closing connection {} from {}: cannot read the records of a response: {}", connectionId,
                        context.channel().remoteAddress(), e.toString());
                closeHere();
                return;
            }
            context.write(whole);
        } else {
            for (Object part : response.parts()) {
                if (part instanceof ByteBuffer buffer) {
                    context.write(Unpooled.wrappedBuffer(buffer));
                } else {
                    context.write(new ZeroCopyFileRegion((FileRegionRecords) part));
                }
            }
        }
        context.flush();
        if (!context.channel().isWritable()) {
            readGate.pause(ReadGate.Reason.WRITES);
        }
    }

    private void finishCurrent() {
        if (current != null) {
            drop(current);
            current = null;
        }
    }

    private void drop(Frame frame) {
        frame.content().release();
        memoryPool.release(frame.reservedBytes());
    }

    private void closeHere() {
        closedHere = true;
        dropPending();
        context.close();
    }

    private void dropPending() {
        Frame frame;
        while ((frame = pending.poll()) != null) {
            drop(frame);
        }
    }

    /** A close asked for by anything after this handler (the decoder on a bad size, the server at shutdown). */
    @Override
    public void close(ChannelHandlerContext closing, ChannelPromise promise) {
        closedHere = true;
        dropPending();
        closing.close(promise);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext changed) {
        if (changed.channel().isWritable()) {
            readGate.resume(ReadGate.Reason.WRITES);
        }
        changed.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext triggered, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            handshakeCompleted(triggered, handshake);
            triggered.fireUserEventTriggered(event);
        } else if (event instanceof IdleStateEvent) {
            LOG.debug("Closing connection {} from {}: idle longer than connections.max.idle.ms", connectionId,
                    triggered.channel().remoteAddress());
            closeHere();
        } else {
            triggered.fireUserEventTriggered(event);
        }
    }

    /**
     * A TLS handshake ended: on success the connection's principal comes from the client certificate; a failure
     * (a plaintext client, an untrusted or missing certificate) is logged once per client host and period, as
     * Kafka logs failed authentications, and the TLS handler closes the connection.
     */
    private void handshakeCompleted(ChannelHandlerContext handshaken, SslHandshakeCompletionEvent handshake) {
        if (!handshake.isSuccess()) {
            log.info(ConnectionLog.Cause.AUTHENTICATION_FAILURE, handshaken.channel().remoteAddress(),
                    "Failed authentication with {} on listener {} (SSL handshake failed: {})",
                    handshaken.channel().remoteAddress(), listenerName, handshake.cause().getMessage());
            closeHere();
            return;
        }
        SslHandler tls = handshaken.pipeline().get(SslHandler.class);
        Optional<Principal> mapped = security instanceof TlsChannelSecurity listener && tls != null
                ? listener.principal(tls.engine().getSession()) : Optional.of(Principal.ANONYMOUS);
        if (mapped.isEmpty()) {
            log.info(ConnectionLog.Cause.AUTHENTICATION_FAILURE, handshaken.channel().remoteAddress(),
                    "Failed authentication with {} on listener {} (no ssl.principal.mapping.rules rule applies to "
                            + "the client certificate's name)", handshaken.channel().remoteAddress(), listenerName);
            closeHere();
            return;
        }
        principal = mapped.get();
        LOG.debug("Connection {} from {} authenticated as {}", connectionId, handshaken.channel().remoteAddress(),
                principal);
    }

    @Override
    public void channelInactive(ChannelHandlerContext closed) {
        // Closed by the client: the queued requests are still handled (above). The request in flight, if any, keeps
        // its frame until it completes: its handler may still read the body's bytes (a produce request's records).
        inactive = true;
        closed.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext failed, Throwable cause) {
        if (cause instanceof VirtualMachineError fatal) {
            fatalErrors.uncaughtException(Thread.currentThread(), fatal);
        }
        LOG.debug("Closing connection {} from {} after an error: {}", connectionId, failed.channel().remoteAddress(),
                cause.toString());
        closeHere();
    }
}
