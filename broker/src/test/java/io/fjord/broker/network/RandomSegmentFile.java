package io.fjord.broker.network;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * A segment file of seeded random bytes, open for positional reads, for tests of responses with file regions.
 * Immutable after creation; {@link #close()} closes the channel.
 *
 * @param bytes   what the file holds
 * @param channel the file, open for reading
 */
record RandomSegmentFile(byte[] bytes, FileChannel channel) implements AutoCloseable {

    static RandomSegmentFile write(Path directory, int sizeBytes, long seed) throws IOException {
        byte[] bytes = new byte[sizeBytes];
        new Random(seed).nextBytes(bytes);
        Path file = Files.write(directory.resolve("00000000000000000000.log"), bytes);
        return new RandomSegmentFile(bytes, FileChannel.open(file, StandardOpenOption.READ));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
