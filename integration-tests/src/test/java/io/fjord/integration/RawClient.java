package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Sends one request on a fresh connection with Kafka's writer and reads its response with Kafka's reader, so tests
 * can send what the Kafka clients never would (replica ids, poison batches). Not thread-safe.
 */
final class RawClient {
    private static final int TIMEOUT_MS = 30_000;
    private static final int RESPONSE_MAX_BYTES = 64 * 1024 * 1024;

    private final InetSocketAddress address;
    private int correlationId;

    RawClient(InetSocketAddress address) {
        this.address = address;
    }

    @SuppressWarnings("unchecked")
    <T extends AbstractResponse> T send(AbstractRequest request, ApiKeys apiKey) throws IOException {
        RequestHeader header = new RequestHeader(apiKey, request.version(), "raw-client", ++correlationId);
        ByteBuffer body = request.serializeWithHeader(header);
        try (Socket socket = new Socket()) {
            socket.connect(address, TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            DataOutputStream output = new DataOutputStream(socket.getOutputStream());
            byte[] bytes = new byte[body.remaining()];
            body.get(bytes);
            output.writeInt(bytes.length);
            output.write(bytes);
            output.flush();
            DataInputStream input = new DataInputStream(socket.getInputStream());
            int size = input.readInt();
            assertThat(size).isBetween(4, RESPONSE_MAX_BYTES);
            byte[] response = new byte[size];
            input.readFully(response);
            return (T) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
        }
    }
}
