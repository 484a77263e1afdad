package io.fjord.metadata.image;

import io.fjord.metadata.records.MetadataRecord;
import java.util.List;

/**
 * Builds the image a metadata snapshot holds from its records ({@link ImageWriter}'s output): replays them on the
 * empty image at offset {@link #SNAPSHOT_RECORD_OFFSET}, since a snapshot's records carry every offset the image
 * keeps themselves. A record that contradicts the image raises {@link IllegalStateException}, as in the log.
 *
 * <p>Stateless and thread-safe.
 */
public final class ImageReader {
    /** The offset a snapshot's records are replayed at: below every offset of the log, so none shows through. */
    public static final long SNAPSHOT_RECORD_OFFSET = -1;

    private ImageReader() {
    }

    /** The image {@code records} describe. */
    public static MetadataImage read(List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        for (MetadataRecord record : records) {
            delta.replay(record, SNAPSHOT_RECORD_OFFSET);
        }
        return delta.apply();
    }
}
