package io.fjord.broker.producer;

import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.controller.ForwardingException;
import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AllocateProducerIdsRequestData;
import io.fjord.protocol.message.AllocateProducerIdsResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.time.InstantSource;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's producer ids, taken from blocks the controller grants durably (AllocateProducerIds), as Kafka's
 * {@code RPCProducerIdManager} hands them out: the first request after a start finds no block and answers "not yet"
 * ({@link ProducerIdSource#NONE}, which callers turn into COORDINATOR_LOAD_IN_PROGRESS, a retriable error) while the
 * block is fetched; when the id at 90 % of the current block is handed out the next block is fetched in the
 * background, so a busy broker moves from block to block without a gap. At most one request is in flight; a failed
 * one (an error code, a block that is not after the current one or not a valid range, a failed send) is retried by
 * the next caller once {@link #RETRY_BACKOFF_MS} have passed; one that timed out is retried by the next caller at
 * once. Nobody waits: a caller with no id at hand gets {@link ProducerIdSource#NONE} and retries.
 *
 * <p>Thread-safe: the blocks and the request state are guarded by this object's monitor, never held while the
 * controller channel is called; responses may complete on any thread. Starts no thread.
 */
public final class ProducerIdManager implements ProducerIdSource {
    /** Kafka's pause after a failed block request before the next caller asks again. */
    public static final long RETRY_BACKOFF_MS = 50L;
    /** Kafka's point of a block, as a fraction of its size, at which the next block is fetched. */
    static final double PREFETCH_THRESHOLD = 0.9;
    private static final int ITERATION_LIMIT = 3;
    private static final long NO_RETRY = -1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProducerIdManager.class);

    private final int nodeId;
    private final LongSupplier brokerEpoch;
    private final ControllerChannel controller;
    private final InstantSource clock;
    private ProducerIdBlock current = ProducerIdBlock.EMPTY;
    private ProducerIdBlock next;
    private boolean requestInFlight;
    private long backoffDeadlineMs = NO_RETRY;

    /**
     * @param brokerEpoch this broker's epoch from its registration, sent with each request (-1 before it has one)
     */
    public ProducerIdManager(int nodeId, LongSupplier brokerEpoch, ControllerChannel controller, InstantSource clock) {
        this.nodeId = nodeId;
        this.brokerEpoch = brokerEpoch;
        this.controller = controller;
        this.clock = clock;
    }

    /** The next unused producer id, or {@link ProducerIdSource#NONE} while the next block is being fetched. */
    @Override
    public long nextProducerId() {
        boolean send = false;
        long producerId = NONE;
        synchronized (this) {
            for (int iteration = 0; iteration <= ITERATION_LIMIT; iteration++) {
                if (current.hasNext()) {
                    producerId = current.claimNext();
                    if (producerId == current.prefetchProducerId()) {
                        send = claimRequest();
                    }
                    break;
                }
                if (next == null) {
                    send = claimRequest();
                    break;
                }
                // The prefetched block becomes current; the request that fetched it is done.
                current = next;
                next = null;
                requestInFlight = false;
                backoffDeadlineMs = NO_RETRY;
            }
        }
        if (send) {
            sendRequest();
        }
        return producerId;
    }

    /** Whether the caller should send a block request now (none is in flight, none is waiting, no backoff). */
    private boolean claimRequest() {
        if (next != null || requestInFlight) {
            return false;
        }
        if (backoffDeadlineMs != NO_RETRY && clock.millis() < backoffDeadlineMs) {
            return false;
        }
        requestInFlight = true;
        return true;
    }

    private void sendRequest() {
        AllocateProducerIdsRequestData request = new AllocateProducerIdsRequestData().setBrokerId(nodeId)
                .setBrokerEpoch(brokerEpoch.getAsLong());
        try {
            controller.send(ApiKey.ALLOCATE_PRODUCER_IDS, request).whenComplete(this::onResponse);
        } catch (RuntimeException failed) {
            onResponse(null, failed);
        }
    }

    private void onResponse(ApiMessage answer, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof ForwardingException forwarding && forwarding.error() == Errors.REQUEST_TIMED_OUT) {
                // Kafka retries a timed-out request with the next caller, without a pause.
                LOG.warn("Node {}: AllocateProducerIds to the controller timed out", nodeId);
                finishRequest(NO_RETRY);
            } else {
                LOG.error("Node {}: AllocateProducerIds to the controller failed", nodeId, cause);
                failRequest();
            }
            return;
        }
        AllocateProducerIdsResponseData response = (AllocateProducerIdsResponseData) answer;
        Errors error = Errors.forCode(response.errorCode());
        if (error != Errors.NONE) {
            if (error == Errors.STALE_BROKER_EPOCH || error == Errors.BROKER_ID_NOT_REGISTERED) {
                LOG.warn("Node {}: the controller answered AllocateProducerIds with {}, trying again", nodeId, error);
            } else {
                LOG.error("Node {}: the controller answered AllocateProducerIds with {}", nodeId, error);
            }
            failRequest();
            return;
        }
        if (!accept(response.producerIdStart(), response.producerIdLen())) {
            failRequest();
        }
    }

    /** Keeps a granted block as the next one, when it is a valid range after the current block. */
    private boolean accept(long start, int length) {
        synchronized (this) {
            if (start <= current.lastProducerId()) {
                LOG.error("Node {}: the producer id block at {} is not after the current block {}", nodeId, start,
                        current);
                return false;
            }
            if (start < 0 || length < 0 || start > Long.MAX_VALUE - length) {
                LOG.error("Node {}: the producer id block at {} of {} ids is not a valid range", nodeId, start,
                        length);
                return false;
            }
            // The request stays in flight until the block is used: no second block is asked for meanwhile.
            next = new ProducerIdBlock(start, length);
            return true;
        }
    }

    private void failRequest() {
        finishRequest(clock.millis() + RETRY_BACKOFF_MS);
    }

    private synchronized void finishRequest(long retryDeadlineMs) {
        backoffDeadlineMs = retryDeadlineMs;
        requestInFlight = false;
    }

    /** Whether a block request is in flight (tests). */
    synchronized boolean isRequestInFlight() {
        return requestInFlight;
    }
}
