package io.fjord.bench.fuzz;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Sends fuzz frames one at a time on one connection and waits a short while for each answer; a connection the node
 * closed, or one left without an answer, is replaced by a fresh one before the next frame. Responses are read and
 * discarded in small chunks, so the sender's memory stays bounded whatever the node answers. Not thread-safe: one
 * sending thread.
 */
final class FrameSender implements AutoCloseable {
    /** Responses larger than this are a broken node (or a huge fetch): the connection is dropped. */
    private static final int MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    /** What became of one frame. */
    enum Outcome {
        /** The node answered with the frame's correlation id. */
        ANSWERED,
        /** The node closed the connection (Kafka's answer to a malformed frame). */
        CLOSED,
        /** No answer within the wait; the sender closed the connection. */
        NO_ANSWER,
        /** The frame asked for no answer (acks=0). */
        NOT_AWAITED,
        /** The connection could not be opened at all. */
        CONNECT_FAILED
    }

    private final InetSocketAddress address;
    private final int responseWaitMs;
    private final byte[] scratch = new byte[64 * 1024];
    private Socket socket;

    FrameSender(InetSocketAddress address, int responseWaitMs) {
        this.address = address;
        this.responseWaitMs = responseWaitMs;
    }

    Outcome send(Frame frame) {
        try {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(address, CONNECT_TIMEOUT_MS);
                socket.setSoTimeout(responseWaitMs);
            }
        } catch (IOException e) {
            closeQuietly();
            return Outcome.CONNECT_FAILED;
        }
        try {
            socket.getOutputStream().write(frame.bytes());
            socket.getOutputStream().flush();
            if (!frame.expectsResponse()) {
                return Outcome.NOT_AWAITED;
            }
            return awaitAnswer(frame.correlationId());
        } catch (SocketTimeoutException e) {
            closeQuietly();
            return Outcome.NO_ANSWER;
        } catch (IOException e) {
            closeQuietly();
            return Outcome.CLOSED;
        }
    }

    /** Reads responses (earlier unanswered frames' first) until the one with {@code correlationId}. */
    private Outcome awaitAnswer(int correlationId) throws IOException {
        DataInputStream input = new DataInputStream(socket.getInputStream());
        long deadlineNanos = System.nanoTime() + responseWaitMs * 1_000_000L;
        while (true) {
            int size;
            try {
                size = input.readInt();
            } catch (EOFException e) {
                closeQuietly();
                return Outcome.CLOSED;
            }
            if (size < 4 || size > MAX_RESPONSE_BYTES) {
                closeQuietly();
                return Outcome.CLOSED;
            }
            int answeredId = input.readInt();
            skip(input, size - 4);
            if (answeredId == correlationId) {
                return Outcome.ANSWERED;
            }
            if (System.nanoTime() > deadlineNanos) {
                closeQuietly();
                return Outcome.NO_ANSWER;
            }
        }
    }

    private void skip(InputStream input, int bytes) throws IOException {
        int remaining = bytes;
        while (remaining > 0) {
            int read = input.read(scratch, 0, Math.min(scratch.length, remaining));
            if (read < 0) {
                throw new EOFException();
            }
            remaining -= read;
        }
    }

    private void closeQuietly() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing a broken connection: nothing left to do.
            }
            socket = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
