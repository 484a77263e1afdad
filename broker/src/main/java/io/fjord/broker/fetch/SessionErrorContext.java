package io.fjord.broker.fetch;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.List;
import java.util.Map;

/** A request whose session could not be used: nothing to read, the response is the error. Immutable. */
final class SessionErrorContext extends FetchContext {
    private final Errors error;

    SessionErrorContext(Errors error) {
        this.error = error;
    }

    @Override
    public List<PartitionToFetch> partitionsToRead() {
        return List.of();
    }

    @Override
    public FetchResponseData updateAndGenerateResponse(Map<TopicPartition, FetchResponseData.PartitionData> readResults) {
        return errorResponse(error);
    }

    @Override
    public Errors sessionError() {
        return error;
    }
}
