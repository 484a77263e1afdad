package io.fjord.broker.fetch;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.List;
import java.util.Map;

/**
 * One Fetch request seen through its fetch session (KIP-227), made by {@link FetchManager#newContext}.
 *
 * <p>A Fetch handler: checks {@link #sessionError()} (if not NONE, sends {@code updateAndGenerateResponse(Map.of())}
 * at once); otherwise reads every partition of {@link #partitionsToRead()} (perhaps waiting in the fetch purgatory
 * first); then calls {@link #updateAndGenerateResponse} once with a result for each of them and sends the response.
 *
 * <p>Kinds: sessionless (session id 0, epoch -1; or epoch -1 closing a session), full (epoch 0: creates a session
 * if the cache has room), incremental (a session's next epoch: the request changes the session; the response
 * carries only partitions with news) and session error (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH,
 * FETCH_SESSION_TOPIC_ID_ERROR).
 *
 * <p>Thread-safety: a context belongs to one request, but may pass between threads (a delayed fetch completes on
 * another thread); the session it shares with later requests is locked inside.
 */
public abstract sealed class FetchContext
        permits SessionlessFetchContext, FullFetchContext, IncrementalFetchContext, SessionErrorContext {

    /**
     * The partitions to read, in response order: every partition of the session (or request) whose topic is known.
     * Partitions of unknown topic ids are answered with UNKNOWN_TOPIC_ID by the context itself.
     */
    public abstract List<PartitionToFetch> partitionsToRead();

    /**
     * Builds the response from the read results (keyed by partition; the context sets each {@code partitionIndex}).
     * A full or sessionless response has every partition; an incremental one only those with records, a changed high
     * watermark, log start offset or last stable offset, an error or other news. A partition without a result is
     * answered with UNKNOWN_SERVER_ERROR. Call once.
     */
    public abstract FetchResponseData updateAndGenerateResponse(
            Map<TopicPartition, FetchResponseData.PartitionData> readResults);

    /** The error of the whole request (the session lookup), or NONE. */
    public Errors sessionError() {
        return Errors.NONE;
    }

    /**
     * Kafka's answer to a fetch throttled by a client quota ({@code getThrottledResponse}, KIP-219): no partitions,
     * only the throttle time, and the session id of an incremental fetch. Instead of
     * {@link #updateAndGenerateResponse}: the session is not told of the reads (a full fetch creates none), so the
     * next fetch reads them again.
     */
    public FetchResponseData throttledResponse(int throttleTimeMs) {
        return new FetchResponseData().setThrottleTimeMs(throttleTimeMs).setSessionId(throttledSessionId());
    }

    /** The session id a throttled response carries. */
    int throttledSessionId() {
        return FetchSessionEpochs.INVALID_SESSION_ID;
    }

    /** A response carrying only an error for the whole request, without a session id. */
    public static FetchResponseData errorResponse(Errors error) {
        return new FetchResponseData().setErrorCode(error.code()).setSessionId(FetchSessionEpochs.INVALID_SESSION_ID);
    }
}
