package io.fjord.broker.fetch;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An incremental fetch of an existing session: the session's partitions (after the request's changes) are read;
 * the response holds only those with news, and partitions that returned records move to the end of the session's
 * order so the others get the response space first next time (KIP-227's fairness rule).
 *
 * <p>If another request of the same session moved the epoch on between {@link FetchManager#newContext} and the
 * response, the response is INVALID_FETCH_SESSION_EPOCH. Thread-safe through the session's monitor.
 */
final class IncrementalFetchContext extends FetchContext {
    private final FetchSession session;
    private final int expectedEpoch;
    private final List<PartitionToFetch> partitionsToRead;

    IncrementalFetchContext(FetchSession session, int expectedEpoch, List<PartitionToFetch> partitionsToRead) {
        this.session = session;
        this.expectedEpoch = expectedEpoch;
        this.partitionsToRead = partitionsToRead;
    }

    @Override
    public List<PartitionToFetch> partitionsToRead() {
        return partitionsToRead;
    }

    @Override
    public FetchResponseData updateAndGenerateResponse(Map<TopicPartition, FetchResponseData.PartitionData> readResults) {
        synchronized (session) {
            if (session.epoch() != expectedEpoch) {
                return errorResponse(Errors.INVALID_FETCH_SESSION_EPOCH);
            }
            FetchResponseAssembler assembler = new FetchResponseAssembler();
            List<SessionPartitionKey> returnedRecords = new ArrayList<>();
            for (CachedPartition partition : session.partitionsLocked().values()) {
                FetchResponseData.PartitionData data = FetchResponseAssembler.resultFor(partition, readResults);
                if (partition.updateResponseData(data)) {
                    assembler.add(partition, data);
                    if (data.records() != null && data.records().sizeInBytes() > 0) {
                        returnedRecords.add(partition.key);
                    }
                }
            }
            session.moveToEndLocked(returnedRecords);
            return assembler.build(session.id);
        }
    }

    int sessionId() {
        return session.id;
    }

    @Override
    int throttledSessionId() {
        return session.id;
    }
}
