package io.fjord.broker.network;

import io.fjord.protocol.message.FileRegionRecords;
import io.netty.channel.DefaultFileRegion;

/**
 * A region of a segment file sent with sendfile. Unlike Netty's default, releasing it does not close the file (the
 * log shares it) but hands the segment reference back to the log. Thread-safety as Netty's reference counting.
 */
final class ZeroCopyFileRegion extends DefaultFileRegion {
    private final Runnable release;

    ZeroCopyFileRegion(FileRegionRecords records) {
        super(records.channel(), records.position(), records.sizeInBytes());
        this.release = records.release();
    }

    @Override
    protected void deallocate() {
        release.run();
    }
}
