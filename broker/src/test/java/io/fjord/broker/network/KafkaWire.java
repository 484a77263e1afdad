package io.fjord.broker.network;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * The client side of the tests: frames requests with kafka-clients' message classes and reads responses from a
 * plain blocking socket with a read timeout. Not thread-safe: one thread per client (a writer thread may use
 * {@link #send} while another reads).
 */
final class KafkaWire implements AutoCloseable {
    static final int READ_TIMEOUT_MS = 60_000;

    private final Socket socket;
    private final DataInputStream input;
    private final OutputStream output;

    private KafkaWire(Socket socket) throws IOException {
        this.socket = socket;
        this.input = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        this.output = socket.getOutputStream();
    }

    static KafkaWire connect(InetSocketAddress address) throws IOException {
        return connect(address, -1);
    }

    /** Connects with the given receive buffer (or the OS default for -1), set before connecting. */
    static KafkaWire connect(InetSocketAddress address, int bufferBytes) throws IOException {
        Socket socket = new Socket();
        if (bufferBytes > 0) {
            socket.setReceiveBufferSize(bufferBytes);
            socket.setSendBufferSize(bufferBytes);
        }
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        socket.connect(address, READ_TIMEOUT_MS);
        return new KafkaWire(socket);
    }

    /** A client over a socket already connected (a TLS socket, say). */
    static KafkaWire over(Socket connected) throws IOException {
        connected.setSoTimeout(READ_TIMEOUT_MS);
        return new KafkaWire(connected);
    }

    /** A size-prefixed request frame. */
    static byte[] request(ApiKeys apiKey, short version, int correlationId, String clientId, Message body) {
        short headerVersion = apiKey.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(apiKey.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(clientId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(4 + size);
        buffer.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        return buffer.array();
    }

    static byte[] request(ApiKeys apiKey, short version, int correlationId, Message body) {
        return request(apiKey, version, correlationId, "test-client", body);
    }

    /** A size prefix followed by exactly these bytes. */
    static byte[] rawFrame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    void send(byte[]... frames) throws IOException {
        for (byte[] frame : frames) {
            output.write(frame);
        }
        output.flush();
    }

    /** Reads one response frame (without its size prefix). */
    ByteBuffer receiveFrame() throws IOException {
        int size = input.readInt();
        byte[] bytes = new byte[size];
        input.readFully(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** Reads exactly this many bytes of whatever the server sends (the start of a large response, say). */
    byte[] readBytes(int count) throws IOException {
        byte[] bytes = new byte[count];
        input.readFully(bytes);
        return bytes;
    }

    /** A response: its header (of the version the API uses for this request version) and the body bytes after it. */
    record Response(int correlationId, ByteBufferAccessor body) {
    }

    Response receive(ApiKeys apiKey, short requestVersion) throws IOException {
        ByteBufferAccessor accessor = new ByteBufferAccessor(receiveFrame());
        ResponseHeaderData header = new ResponseHeaderData(accessor, apiKey.responseHeaderVersion(requestVersion));
        return new Response(header.correlationId(), accessor);
    }

    /**
     * Whether the server closed the connection: a read gives end of stream or a reset within the read timeout.
     * Any byte received instead means it did not.
     */
    boolean closedByServer() throws IOException {
        try {
            return input.read() == -1;
        } catch (EOFException | SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
