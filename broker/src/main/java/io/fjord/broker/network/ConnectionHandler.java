package io.fjord.broker.network;

import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.codec.RequestDecoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FileRegionRecords;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one connection: requests are handled one at a time in arrival order, so responses leave in request order
 * (Kafka's discipline; it also keeps an idempotent producer's batches in order). A few requests are read ahead; past
 * that, or while the client does not drain its responses, reading stops.
 *
 * <p>Not thread-safe: one instance per connection; all its state is touched only on the connection's event loop
 * (handler completions hop back onto it).
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);

    private final long connectionId;
    private final String listenerName;
    private final RequestDispatcher dispatcher;
    private final RequestDecoder decoder;
    private final RequestMemoryPool memoryPool;
    private final ReadGate readGate;
    private final int queuedRequestsMax;
    private final InFlightTracker inFlightTracker;
    private final Queue<Frame> pending = new ArrayDeque<>();
    private Frame current;

    ConnectionHandler(long connectionId, String listenerName, RequestDispatcher dispatcher,
                      RequestMemoryPool memoryPool, ReadGate readGate, int queuedRequestsMax,
                      InFlightTracker inFlightTracker) {
        this.connectionId = connectionId;
        this.listenerName = listenerName;
        this.dispatcher = dispatcher;
        this.decoder = new RequestDecoder(dispatcher);
        this.memoryPool = memoryPool;
        this.readGate = readGate;
        this.queuedRequestsMax = queuedRequestsMax;
        this.inFlightTracker = inFlightTracker;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        pending.add((Frame) message);
        if (pending.size() >= queuedRequestsMax) {
            readGate.pause(ReadGate.Reason.QUEUE);
        }
        if (current == null) {
            processNext(context);
        }
    }

    private void processNext(ChannelHandlerContext context) {
        while (current == null && !pending.isEmpty() && context.channel().isActive()) {
            current = pending.poll();
            if (pending.size() < queuedRequestsMax) {
                readGate.resume(ReadGate.Reason.QUEUE);
            }
            ByteBuffer bytes = current.content().nioBuffer();
            DecodedRequest request;
            try {
                request = decoder.decode(bytes);
            } catch (RequestParseException e) {
                refuse(context, e);
                continue;
            }
            inFlightTracker.started();
            RequestContext requestContext = new RequestContext(connectionId, listenerName,
                    context.channel().remoteAddress(), System.nanoTime());
            Frame frame = current;
            try {
                dispatcher.dispatch(requestContext, request).whenComplete((response, error) -> {
                    try {
                        context.executor().execute(() -> complete(context, frame, request, response, error));
                    } catch (RejectedExecutionException e) {
                        abandon(frame, request, response);
                    }
                });
            } catch (RuntimeException e) {
                complete(context, frame, request, null, e);
            }
        }
    }

    private void refuse(ChannelHandlerContext context, RequestParseException e) {
        if (e.reason() == RequestParseException.Reason.UNSUPPORTED_VERSION && e.apiKey() == ApiKey.API_VERSIONS.id()) {
            // Kafka answers an ApiVersions it cannot parse with v0 and UNSUPPORTED_VERSION, so the client can
            // retry with a version from the list.
            EncodedResponse response = ResponseEncoder.encode(ApiKey.API_VERSIONS, (short) 0, e.correlationId(),
                    dispatcher.unsupportedApiVersionsResponse());
            write(context, response);
            finishCurrent();
            return;
        }
        LOG.warn("Closing connection {} from {}: {}", connectionId, context.channel().remoteAddress(), e.getMessage());
        finishCurrent();
        context.close();
    }

    private void complete(ChannelHandlerContext context, Frame frame, DecodedRequest request, ApiMessage response,
                          Throwable error) {
        inFlightTracker.finished();
        if (frame != current) {
            if (response != null) {
                ResponseResources.release(response);
            }
            return;
        }
        if (error != null) {
            LOG.error("Handling {} v{} from {} failed; closing the connection", request.apiKey(), request.apiVersion(),
                    context.channel().remoteAddress(), error);
            finishCurrent();
            context.close();
            return;
        }
        if (response != null) {
            // On a closed connection write() drops the response, running its file regions' release.
            EncodedResponse encoded;
            try {
                encoded = ResponseEncoder.encode(request.apiKey(), request.apiVersion(), request.correlationId(),
                        response);
            } catch (RuntimeException e) {
                LOG.error("Cannot encode the {} v{} response; closing the connection", request.apiKey(),
                        request.apiVersion(), e);
                ResponseResources.release(response);
                finishCurrent();
                context.close();
                return;
            }
            write(context, encoded);
        }
        finishCurrent();
        processNext(context);
    }

    /**
     * Gives back what a request holds when it completes after its event loop stopped (shutdown gave up waiting): the
     * connection is closed, so the response is dropped. Runs on the completing thread; the handler is no longer used.
     */
    private void abandon(Frame frame, DecodedRequest request, ApiMessage response) {
        inFlightTracker.finished();
        frame.content().release();
        memoryPool.release(frame.reservedBytes());
        if (response != null) {
            ResponseResources.release(response);
        }
    }

    private void write(ChannelHandlerContext context, EncodedResponse response) {
        if (!context.channel().isActive()) {
            response.release();
            return;
        }
        for (Object part : response.parts()) {
            if (part instanceof ByteBuffer buffer) {
                context.write(Unpooled.wrappedBuffer(buffer));
            } else {
                context.write(new ZeroCopyFileRegion((FileRegionRecords) part));
            }
        }
        context.flush();
        if (!context.channel().isWritable()) {
            readGate.pause(ReadGate.Reason.WRITES);
        }
    }

    private void finishCurrent() {
        if (current != null) {
            current.content().release();
            memoryPool.release(current.reservedBytes());
            current = null;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (context.channel().isWritable()) {
            readGate.resume(ReadGate.Reason.WRITES);
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) {
        if (event instanceof IdleStateEvent) {
            LOG.debug("Closing connection {} from {}: idle longer than connections.max.idle.ms", connectionId,
                    context.channel().remoteAddress());
            context.close();
        } else {
            context.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        // A request still being handled keeps its frame until it completes (its body may share the bytes).
        Frame frame;
        while ((frame = pending.poll()) != null) {
            frame.content().release();
            memoryPool.release(frame.reservedBytes());
        }
        // The request in flight, if any, keeps its frame: its handler may still read the body's bytes (a produce
        // request's records); complete() releases it.
        context.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.debug("Closing connection {} from {} after an error: {}", connectionId, context.channel().remoteAddress(),
                cause.toString());
        context.close();
    }
}
