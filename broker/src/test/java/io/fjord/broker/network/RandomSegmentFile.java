package io.fjord.broker.network;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test extension: before each test, a segment file of seeded random bytes, open for positional reads, for tests of
 * responses with file regions; after it, the file is closed and deleted. Used by one test thread at a time.
 */
final class RandomSegmentFile implements BeforeEachCallback, AfterEachCallback {
    private final int sizeBytes;
    private final long seed;
    private Path file;
    private byte[] bytes;
    private FileChannel channel;

    RandomSegmentFile(int sizeBytes, long seed) {
        this.sizeBytes = sizeBytes;
        this.seed = seed;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        bytes = new byte[sizeBytes];
        new Random(seed).nextBytes(bytes);
        file = Files.write(Files.createTempFile("segment", ".log"), bytes);
        channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        channel.close();
        Files.deleteIfExists(file);
    }

    /** What the file holds. */
    byte[] bytes() {
        return bytes;
    }

    FileChannel channel() {
        return channel;
    }
}
