package io.fjord.metadata;

import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;

/** Builds an image by replaying a metadata log onto a base image. Stateless and thread-safe. */
public final class MetadataLoader {
    private MetadataLoader() {
    }

    public static MetadataImage load(MetadataLog log, MetadataImage base) {
        MetadataDelta delta = new MetadataDelta(base);
        log.replay(base.offset() + 1, (offset, record) -> delta.replay(record, offset));
        return delta.apply();
    }
}
