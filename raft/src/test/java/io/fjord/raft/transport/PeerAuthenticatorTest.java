package io.fjord.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.codec.RequestDecoder;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.SaslAuthenticateRequestData;
import io.fjord.protocol.message.SaslAuthenticateResponseData;
import io.fjord.protocol.message.SaslHandshakeRequestData;
import io.fjord.protocol.message.SaslHandshakeResponseData;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerAuthenticatorTest {
    private final RequestDecoder decoder = new RequestDecoder(new ListenerApis(ControllerRequestHandler.NONE, true));
    private final List<Long> lifetimes = new ArrayList<>();

    /** A two-step exchange: "first", then "second" for the server's "more", done at the server's "done". */
    private static final class TwoSteps implements ClientExchange {
        private boolean complete;

        @Override
        public String mechanism() {
            return "PLAIN";
        }

        @Override
        public String user() {
            return "controller";
        }

        @Override
        public byte[] initialResponse() {
            return bytes("first");
        }

        @Override
        public byte[] evaluate(byte[] challenge) throws Exception {
            String text = new String(challenge, StandardCharsets.UTF_8);
            if (text.equals("more")) {
                return bytes("second");
            }
            if (text.equals("done")) {
                complete = true;
                return null;
            }
            throw new Exception("refused server message " + text);
        }

        @Override
        public boolean isComplete() {
            return complete;
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private EmbeddedChannel connect() {
        return new EmbeddedChannel(new PeerAuthenticator(new TwoSteps(), "peer 2",
                (channel, lifetimeMs) -> lifetimes.add(lifetimeMs)));
    }

    private DecodedRequest sent(EmbeddedChannel channel) throws Exception {
        ByteBuf written = channel.readOutbound();
        ByteBuffer frame = written.nioBuffer();
        written.release();
        frame.position(frame.position() + 4); // the size prefix, which the listener's frame decoder takes off
        return decoder.decode(frame.slice());
    }

    private static ByteBuffer answer(DecodedRequest request, ApiMessage response) {
        EncodedResponse encoded = ResponseEncoder.encode(request.apiKey(), request.apiVersion(),
                request.correlationId(), response);
        int size = encoded.parts().stream().mapToInt(part -> ((ByteBuffer) part).remaining()).sum();
        ByteBuffer frame = ByteBuffer.allocate(size);
        encoded.parts().forEach(part -> frame.put(((ByteBuffer) part).duplicate()));
        frame.flip();
        return frame.position(4).slice();
    }

    @Test
    void logsInWithHandshakeV1AndAuthenticateV2ThenLeavesThePipeline() throws Exception {
        EmbeddedChannel channel = connect();
        DecodedRequest handshake = sent(channel);
        assertThat(handshake.apiKey()).isEqualTo(ApiKey.SASL_HANDSHAKE);
        assertThat(handshake.apiVersion()).isEqualTo((short) 1);
        assertThat(((SaslHandshakeRequestData) handshake.body()).mechanism()).isEqualTo("PLAIN");
        channel.writeInbound(answer(handshake, new SaslHandshakeResponseData().setMechanisms(List.of("PLAIN"))));

        DecodedRequest first = sent(channel);
        assertThat(first.apiKey()).isEqualTo(ApiKey.SASL_AUTHENTICATE);
        assertThat(first.apiVersion()).isEqualTo((short) 2);
        assertThat(((SaslAuthenticateRequestData) first.body()).authBytes()).isEqualTo(bytes("first"));
        channel.writeInbound(answer(first, new SaslAuthenticateResponseData().setAuthBytes(bytes("more"))));
        DecodedRequest second = sent(channel);
        assertThat(((SaslAuthenticateRequestData) second.body()).authBytes()).isEqualTo(bytes("second"));
        assertThat(lifetimes).isEmpty();
        channel.writeInbound(answer(second, new SaslAuthenticateResponseData().setAuthBytes(bytes("done"))
                .setSessionLifetimeMs(60_000)));

        assertThat(lifetimes).containsExactly(60_000L);
        assertThat(channel.pipeline().get(PeerAuthenticator.class)).isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void anUnsupportedMechanismClosesTheConnection() throws Exception {
        EmbeddedChannel channel = connect();
        DecodedRequest handshake = sent(channel);
        channel.writeInbound(answer(handshake, new SaslHandshakeResponseData()
                .setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()).setMechanisms(List.of("SCRAM-SHA-256"))));
        assertThat(channel.isOpen()).isFalse();
        assertThat(lifetimes).isEmpty();
    }

    @Test
    void aFailedLoginOrARefusedServerMessageClosesTheConnection() throws Exception {
        EmbeddedChannel failed = connect();
        DecodedRequest handshake = sent(failed);
        failed.writeInbound(answer(handshake, new SaslHandshakeResponseData().setMechanisms(List.of("PLAIN"))));
        failed.writeInbound(answer(sent(failed), new SaslAuthenticateResponseData()
                .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage("Invalid username or password")));
        assertThat(failed.isOpen()).isFalse();

        EmbeddedChannel refused = connect();
        DecodedRequest again = sent(refused);
        refused.writeInbound(answer(again, new SaslHandshakeResponseData().setMechanisms(List.of("PLAIN"))));
        refused.writeInbound(answer(sent(refused), new SaslAuthenticateResponseData().setAuthBytes(bytes("forged"))));
        assertThat(refused.isOpen()).isFalse();
        assertThat(lifetimes).isEmpty();
    }
}
