package io.fjord.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A region of a segment file holding whole batches (and, after a size-limited read, maybe a partial last one, as
 * Kafka serves). The network layer sends it with zero copy ({@link #channel()} with {@link #position()} and
 * {@link #sizeBytes()}); other readers copy it with {@link #readAll()}.
 *
 * <p>A slice keeps its segment file open until {@link #release()}, which must be called exactly once (it is
 * idempotent). Thread-safe: the channel is read with positional reads only.
 */
public final class FileSlice implements AutoCloseable {
    /** Lets the owner of the file know the slice is no longer used. */
    public interface Releaser {
        void release();
    }

    private static final FileSlice EMPTY = new FileSlice(null, 0, 0, () -> {
    });

    private final FileChannel channel;
    private final long position;
    private final int sizeBytes;
    private final Releaser releaser;
    private final ByteBuffer cachedBytes;
    private final AtomicBoolean released = new AtomicBoolean();

    public FileSlice(FileChannel channel, long position, int sizeBytes, Releaser releaser) {
        this(channel, position, sizeBytes, releaser, null);
    }

    /**
     * @param cachedBytes the slice's bytes, held in memory by the log (its active segment's recent appends), or null:
     *                    a reader may take them instead of reading the file
     */
    public FileSlice(FileChannel channel, long position, int sizeBytes, Releaser releaser, ByteBuffer cachedBytes) {
        this.channel = channel;
        this.position = position;
        this.sizeBytes = sizeBytes;
        this.releaser = releaser;
        this.cachedBytes = cachedBytes;
    }

    public static FileSlice empty() {
        return EMPTY;
    }

    public FileChannel channel() {
        return channel;
    }

    public long position() {
        return position;
    }

    public int sizeBytes() {
        return sizeBytes;
    }

    public boolean isEmpty() {
        return sizeBytes == 0;
    }

    /**
     * The slice's bytes as the log holds them in memory (a read-only view that stays valid after {@link #release()}),
     * or null when they are only in the file.
     */
    public ByteBuffer cachedBytes() {
        return cachedBytes == null ? null : cachedBytes.duplicate();
    }

    /** Copies the slice into a new heap buffer (flipped, ready to read). */
    public ByteBuffer readAll() {
        ByteBuffer buffer = ByteBuffer.allocate(sizeBytes);
        if (cachedBytes != null) {
            return buffer.put(cachedBytes.duplicate()).flip();
        }
        try {
            while (buffer.hasRemaining()) {
                int read = channel.read(buffer, position + buffer.position());
                if (read < 0) {
                    break; // the log was truncated under the reader; return what is left
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sizeBytes + " bytes at " + position, e);
        }
        buffer.flip();
        return buffer;
    }

    /** Sends the slice with the kernel's zero-copy transfer; returns bytes written. */
    public long transferTo(WritableByteChannel target) throws IOException {
        long sent = 0;
        while (sent < sizeBytes) {
            long written = channel.transferTo(position + sent, sizeBytes - sent, target);
            if (written <= 0) {
                break;
            }
            sent += written;
        }
        return sent;
    }

    public void release() {
        if (released.compareAndSet(false, true)) {
            releaser.release();
        }
    }

    @Override
    public void close() {
        release();
    }
}
