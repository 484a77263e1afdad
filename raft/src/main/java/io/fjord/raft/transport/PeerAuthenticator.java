package io.fjord.raft.transport;

import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.SaslAuthenticateRequestData;
import io.fjord.protocol.message.SaslAuthenticateResponseData;
import io.fjord.protocol.message.SaslHandshakeRequestData;
import io.fjord.protocol.message.SaslHandshakeResponseData;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.ByteBuffer;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SASL login of a connection a Raft node opens to a SASL controller listener, first in its pipeline's frame
 * handlers: once connected it sends SaslHandshake v1 and then SaslAuthenticate v2 with the {@link ClientExchange}'s
 * messages (a Fjord controller listener serves both; Kafka 4.4 clients use the same versions), and when the exchange
 * is complete it leaves the pipeline and reports the session lifetime the listener granted (0: unlimited). No other
 * request is written before that (the connection is not handed to its owner). A refusal or a server message the
 * exchange does not accept closes the connection with a logged reason.
 *
 * <p>Not thread-safe: one per connection, used on its event loop.
 */
final class PeerAuthenticator extends SimpleChannelInboundHandler<ByteBuffer> {
    private static final Logger LOG = LoggerFactory.getLogger(PeerAuthenticator.class);
    private static final short HANDSHAKE_VERSION = 1;
    private static final short AUTHENTICATE_VERSION = 2;

    private final ClientExchange exchange;
    private final String peer;
    private final ObjLongConsumer<Channel> authenticated;
    private ApiKey awaited;
    private int correlationId;
    private boolean complete;

    /**
     * @param peer who the other end is, for log lines
     * @param authenticated told the connection and the session lifetime in ms once the login succeeded, on the
     *     event loop
     */
    PeerAuthenticator(ClientExchange exchange, String peer, ObjLongConsumer<Channel> authenticated) {
        super(false);
        this.exchange = exchange;
        this.peer = peer;
        this.authenticated = authenticated;
    }

    boolean isComplete() {
        return complete;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        send(context, ApiKey.SASL_HANDSHAKE, HANDSHAKE_VERSION,
                new SaslHandshakeRequestData().setMechanism(exchange.mechanism()));
        super.channelActive(context);
    }

    private void send(ChannelHandlerContext context, ApiKey api, short version, ApiMessage body) {
        awaited = api;
        correlationId++;
        context.writeAndFlush(Unpooled.wrappedBuffer(RequestEncoder.encode(api, version, correlationId,
                "raft-sasl", body)));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, ByteBuffer frame) {
        try {
            if (ResponseDecoder.correlationId(frame) != correlationId) {
                fail(context, "a response to no SASL request");
                return;
            }
            ApiMessage response = ResponseDecoder.decode(awaited, awaited == ApiKey.SASL_HANDSHAKE
                    ? HANDSHAKE_VERSION : AUTHENTICATE_VERSION, frame);
            if (response instanceof SaslHandshakeResponseData handshake) {
                if (handshake.errorCode() != 0) {
                    fail(context, "SaslHandshake answered error " + handshake.errorCode() + "; the listener "
                            + "enables " + handshake.mechanisms());
                    return;
                }
                send(context, ApiKey.SASL_AUTHENTICATE, AUTHENTICATE_VERSION,
                        new SaslAuthenticateRequestData().setAuthBytes(exchange.initialResponse()));
                return;
            }
            SaslAuthenticateResponseData answer = (SaslAuthenticateResponseData) response;
            if (answer.errorCode() != 0) {
                fail(context, "SaslAuthenticate answered error " + answer.errorCode() + ": " + answer.errorMessage());
                return;
            }
            byte[] next = exchange.evaluate(answer.authBytes());
            if (next != null) {
                send(context, ApiKey.SASL_AUTHENTICATE, AUTHENTICATE_VERSION,
                        new SaslAuthenticateRequestData().setAuthBytes(next));
            } else if (!exchange.isComplete()) {
                fail(context, "the exchange ended incomplete");
            } else {
                complete = true;
                context.pipeline().remove(this);
                authenticated.accept(context.channel(), answer.sessionLifetimeMs());
            }
        } catch (RequestParseException | RuntimeException e) {
            fail(context, "an undecodable SASL response: " + e.getMessage());
        } catch (Exception e) {
            fail(context, "the server's answer is refused: " + e.getMessage());
        }
    }

    private void fail(ChannelHandlerContext context, String reason) {
        LOG.warn("Closing the connection to {}: SASL authentication as {} with {} failed: {}", peer, exchange.user(),
                exchange.mechanism(), reason);
        context.close();
    }
}
