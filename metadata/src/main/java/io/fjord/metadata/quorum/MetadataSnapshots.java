package io.fjord.metadata.quorum;

import io.fjord.metadata.image.ImageReader;
import io.fjord.metadata.image.ImageWriter;
import io.fjord.metadata.image.MetadataImage;

/**
 * The state bytes of a metadata snapshot (what follows the voter set the Raft driver writes first): the
 * {@link MetadataEntries} encoding of {@link ImageWriter}'s records for the image, so a snapshot reads with the same
 * bounds-checked decoder as a log entry. One array, not a chunked form: a snapshot larger than
 * {@link MetadataSnapshotPolicy#snapshotStateBytesMax()} (256 MiB by default, far below the 2 GiB an array holds) is
 * refused instead of written.
 *
 * <p>Stateless and thread-safe.
 */
public final class MetadataSnapshots {
    private MetadataSnapshots() {
    }

    /**
     * The snapshot state of {@code image}.
     *
     * @throws MetadataEntries.EncodingTooLargeException past {@code maxBytes}, before more than about
     *                                                   {@code maxBytes} were encoded
     */
    public static byte[] encode(MetadataImage image, int maxBytes) {
        return MetadataEntries.encode(ImageWriter.write(image), maxBytes);
    }

    /**
     * The image of a snapshot's state.
     *
     * @throws IllegalArgumentException for bytes that do not decode
     * @throws IllegalStateException    for records that contradict each other
     */
    public static MetadataImage decode(byte[] state) {
        return ImageReader.read(MetadataEntries.decode(state));
    }
}
