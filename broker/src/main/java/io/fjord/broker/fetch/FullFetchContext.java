package io.fjord.broker.fetch;

import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A full fetch (epoch 0): every requested partition is read and answered, and a new session holding them is created
 * if the cache has or can free a slot; the response carries its id (0 if none was created). Confined to its request.
 */
final class FullFetchContext extends FetchContext {
    private final FetchSessionCache cache;
    private final LinkedHashMap<SessionPartitionKey, CachedPartition> partitions;
    private final boolean privileged;
    private final boolean usesTopicIds;
    private final List<PartitionToFetch> partitionsToRead;
    private boolean responded;

    FullFetchContext(FetchSessionCache cache, LinkedHashMap<SessionPartitionKey, CachedPartition> partitions,
            boolean privileged, boolean usesTopicIds) {
        this.cache = cache;
        this.partitions = partitions;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.partitionsToRead = FetchResponseAssembler.readable(partitions.values());
    }

    @Override
    public List<PartitionToFetch> partitionsToRead() {
        return partitionsToRead;
    }

    @Override
    public synchronized FetchResponseData updateAndGenerateResponse(
            Map<TopicPartition, FetchResponseData.PartitionData> readResults) {
        if (responded) {
            throw new IllegalStateException("the response of a full fetch is generated once");
        }
        responded = true;
        FetchResponseAssembler assembler = new FetchResponseAssembler();
        for (CachedPartition partition : partitions.values()) {
            FetchResponseData.PartitionData data = FetchResponseAssembler.resultFor(partition, readResults);
            partition.updateResponseData(data);
            assembler.add(partition, data);
        }
        // The partitions (with what this response told the fetcher) become the session's.
        int sessionId = cache.maybeCreateSession(privileged, usesTopicIds, partitions);
        return assembler.build(sessionId);
    }
}
