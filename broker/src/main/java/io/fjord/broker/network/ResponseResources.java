package io.fjord.broker.network;

import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.FileRegionRecords;

/**
 * Releases the file regions a response holds when it will never be encoded and sent (its connection closed, or its
 * encoding failed), so log segments are not kept open by responses nobody sends. Only Fetch responses carry file
 * regions. Stateless and thread-safe; releasing a region twice is harmless (slices release once).
 */
final class ResponseResources {
    private ResponseResources() {
    }

    static void release(ApiMessage response) {
        if (response instanceof FetchResponseData fetch) {
            for (FetchResponseData.FetchableTopicResponse topic : fetch.responses()) {
                for (FetchResponseData.PartitionData partition : topic.partitions()) {
                    if (partition.records() instanceof FileRegionRecords region) {
                        region.release().run();
                    }
                }
            }
        }
    }
}
