package io.fjord.storage.internal;

import io.fjord.storage.LogCorruptionException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and logs, loudly and once, the exception for corrupt data found in a segment, naming the file and position.
 */
final class LogCorruptionDetail {
    private static final Logger LOG = LoggerFactory.getLogger(LogCorruptionDetail.class);

    private LogCorruptionDetail() {
    }

    static LogCorruptionException of(Path file, int position, String reason) {
        String message = "Corrupt data in " + file + " at position " + position + ": " + reason;
        LOG.error(message);
        return new LogCorruptionException(message);
    }
}
