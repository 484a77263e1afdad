package io.fjord.broker.fetch;

import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fetch without a session: every requested partition is read and answered, session id 0. Confined to its
 * request (see {@link FetchContext}).
 */
final class SessionlessFetchContext extends FetchContext {
    private final LinkedHashMap<SessionPartitionKey, CachedPartition> partitions;
    private final List<PartitionToFetch> partitionsToRead;

    SessionlessFetchContext(LinkedHashMap<SessionPartitionKey, CachedPartition> partitions) {
        this.partitions = partitions;
        this.partitionsToRead = FetchResponseAssembler.readable(partitions.values());
    }

    @Override
    public List<PartitionToFetch> partitionsToRead() {
        return partitionsToRead;
    }

    @Override
    public FetchResponseData updateAndGenerateResponse(Map<TopicPartition, FetchResponseData.PartitionData> readResults) {
        FetchResponseAssembler assembler = new FetchResponseAssembler();
        for (CachedPartition partition : partitions.values()) {
            assembler.add(partition, FetchResponseAssembler.resultFor(partition, readResults));
        }
        return assembler.build(FetchSessionEpochs.INVALID_SESSION_ID);
    }
}
