package io.fjord.broker.lifecycle;

import io.fjord.broker.controller.ControllerChannel;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's side of cluster membership, Kafka's BrokerLifecycleManager: registers with the controller
 * (BrokerRegistration: incarnation id, listeners, rack, cluster id, supported features, and the broker epoch its
 * previous incarnation recorded at a clean shutdown, KIP-966's {@code PreviousBrokerEpoch}), then heartbeats every
 * {@code broker.heartbeat.interval.ms} with the metadata offset it has applied. The controller keeps it fenced until
 * that offset reaches its registration; {@link #awaitUnfenced} waits for that. {@link #controlledShutdown} sets
 * WantShutDown and waits, bounded, until the controller answers ShouldShutDown (its leaderships have moved); a broker
 * that cannot reach a controller gives up after {@link Settings#controlledShutdownAttemptsMax} heartbeats in a row
 * failed or went unanswered for {@link Settings#controlledShutdownAttemptTimeoutMs} (Kafka's
 * {@code controlled.shutdown.max.retries}: a cluster stopping all at once, or a broker whose quorum is gone, must not
 * hold its shutdown until a long deadline). Failed
 * requests are retried with exponential back-off (100 ms doubling up to the heartbeat interval); STALE_BROKER_EPOCH
 * or BROKER_ID_NOT_REGISTERED on a heartbeat means the controller no longer knows this registration, so the broker
 * registers again, keeping its incarnation id.
 *
 * <p>While fenced or in controlled shutdown it heartbeats every {@link #FAST_HEARTBEAT_MS} ms, as Kafka does while
 * starting, so unfencing and shutting down take a round trip, not an interval.
 *
 * <p>Thread-safety: the state is owned by one thread ({@code fjord-broker-lifecycle}), started by {@link #start()};
 * the futures and the volatile fenced flag publish it. Any thread may call the public methods.
 */
public final class BrokerLifecycleManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLifecycleManager.class);
    /** The heartbeat interval while fenced or in controlled shutdown. */
    static final long FAST_HEARTBEAT_MS = 50;
    private static final long BACKOFF_INITIAL_MS = 100;

    /** Kafka's {@code controlled.shutdown.max.retries} default. */
    static final int CONTROLLED_SHUTDOWN_ATTEMPTS_MAX = 3;

    /**
     * @param heartbeatIntervalMs {@code broker.heartbeat.interval.ms} (2000)
     * @param controlledShutdownAttemptsMax controlled-shutdown heartbeats that may fail in a row before the broker
     *     stops without the controller's approval
     * @param controlledShutdownAttemptTimeoutMs how long a controlled-shutdown heartbeat may go unanswered before it
     *     counts as failed
     */
    public record Settings(long heartbeatIntervalMs, int controlledShutdownAttemptsMax,
                           long controlledShutdownAttemptTimeoutMs) {
        public Settings {
            if (heartbeatIntervalMs <= 0) {
                throw new IllegalArgumentException("broker.heartbeat.interval.ms must be positive: "
                        + heartbeatIntervalMs);
            }
            if (controlledShutdownAttemptsMax <= 0 || controlledShutdownAttemptTimeoutMs <= 0) {
                throw new IllegalArgumentException("controlled shutdown attempts and their timeout must be positive: "
                        + controlledShutdownAttemptsMax + ", " + controlledShutdownAttemptTimeoutMs);
            }
        }

        /**
         * Kafka's 3 attempts, each unanswered for at most two heartbeat intervals: a controller that cannot answer
         * a heartbeat within that is not there for this broker (two, not one, so a controller slowed by a busy
         * machine still gets to move the leaderships first).
         */
        public Settings(long heartbeatIntervalMs) {
            this(heartbeatIntervalMs, CONTROLLED_SHUTDOWN_ATTEMPTS_MAX, 2 * heartbeatIntervalMs);
        }
    }

    private final Settings settings;
    private final ControllerChannel channel;
    private final BrokerRegistrationRequestData registration;
    private final LongSupplier metadataOffset;
    private final CompletableFuture<Void> unfenced = new CompletableFuture<>();
    private final CompletableFuture<Void> shutDownAllowed = new CompletableFuture<>();
    private ScheduledExecutorService thread;
    private volatile boolean fenced = true;
    private volatile boolean wantShutDown;
    /** The epoch of the current registration, -1 when not registered; owned by the lifecycle thread. */
    private volatile long brokerEpoch = -1;
    /** The next scheduled registration or heartbeat; owned by the lifecycle thread (set by start before it runs). */
    private ScheduledFuture<?> next;
    private long backoffMs = BACKOFF_INITIAL_MS;
    /** Whether a registration or heartbeat is in flight (the next one is scheduled when it completes). */
    private boolean inFlight;
    /** Numbers the requests sent; an answer to an abandoned one (its attempt timed out) is ignored. */
    private long requestSequence;
    /** Controlled-shutdown heartbeats that failed in a row. */
    private int failedShutdownAttempts;

    /**
     * @param registration        this broker's registration request (the manager owns it from here on)
     * @param metadataOffset      the offset of the last metadata entry this broker has applied (its image's offset)
     * @param previousBrokerEpoch the broker epoch the log directories' clean-shutdown markers recorded; empty after
     *                            an unclean shutdown, so every registration of this incarnation sends -1 and the
     *                            controller takes this broker out of the ELRs (KIP-966)
     */
    public BrokerLifecycleManager(Settings settings, ControllerChannel channel,
                                  BrokerRegistrationRequestData registration, LongSupplier metadataOffset,
                                  OptionalLong previousBrokerEpoch) {
        this.settings = settings;
        this.channel = channel;
        this.registration = registration.setPreviousBrokerEpoch(previousBrokerEpoch.orElse(-1));
        this.metadataOffset = metadataOffset;
    }

    /** Starts the lifecycle thread, which registers at once. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread lifecycle = new Thread(runnable, "fjord-broker-lifecycle");
            lifecycle.setDaemon(true);
            return lifecycle;
        });
        schedule(0);
    }

    /** The epoch of this broker's current registration, -1 while not registered. */
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /** Whether the controller holds this broker fenced, as its last answer said. */
    public boolean isFenced() {
        return fenced;
    }

    /** Completes once the controller unfenced this broker (it is caught up with the metadata log). */
    public CompletableFuture<Void> unfenced() {
        return unfenced;
    }

    /** Waits until the controller has unfenced this broker. */
    public void awaitUnfenced(long timeoutMs) throws InterruptedException, TimeoutException {
        try {
            unfenced.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("broker " + registration.brokerId() + " was not unfenced",
                    e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("broker " + registration.brokerId() + " was not unfenced within " + timeoutMs
                    + " ms (registered: " + (brokerEpoch >= 0) + ")");
        }
    }

    /**
     * Asks the controller to move this broker's leaderships away (WantShutDown) and waits until it answers
     * ShouldShutDown, at most {@code timeoutMs}. Returns whether it did; false means the caller stops anyway, as a
     * Kafka broker does after {@code controlled.shutdown} times out. A broker that never registered has nothing to
     * move: true at once.
     */
    public boolean controlledShutdown(long timeoutMs) throws InterruptedException {
        ScheduledExecutorService executor;
        synchronized (this) {
            executor = thread;
        }
        if (executor == null) {
            return true;
        }
        wantShutDown = true;
        try {
            executor.execute(() -> {
                if (brokerEpoch < 0) {
                    shutDownAllowed.complete(null); // never registered: no leaderships to move
                } else if (inFlight) {
                    // The request in flight may wait long for an absent controller: it is this attempt, bounded.
                    scheduleAttemptTimeout(requestSequence);
                } else {
                    // Now rather than at the next interval; the scheduled one would only repeat it.
                    if (next != null) {
                        next.cancel(false);
                    }
                    sendHeartbeat();
                }
            });
        } catch (RejectedExecutionException e) {
            return false;
        }
        try {
            shutDownAllowed.get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return false; // gave up after its attempts (logged), or closed
        } catch (TimeoutException e) {
            LOG.warn("Broker {}: the controller did not allow a controlled shutdown within {} ms; stopping anyway",
                    registration.brokerId(), timeoutMs);
            return false;
        }
    }

    // ---------------------------------------------------------------- the lifecycle thread

    private void schedule(long delayMs) {
        ScheduledFuture<?> scheduled = onThreadAfter(this::communicate, delayMs);
        if (scheduled != null) {
            next = scheduled;
        }
    }

    /** Runs {@code task} on the lifecycle thread after {@code delayMs}; null once closing (nothing more to do). */
    private ScheduledFuture<?> onThreadAfter(Runnable task, long delayMs) {
        ScheduledExecutorService executor;
        synchronized (this) {
            executor = thread;
        }
        if (executor == null) {
            return null;
        }
        try {
            return executor.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private void communicate() {
        if (inFlight || shutDownAllowed.isDone()) {
            return;
        }
        if (brokerEpoch < 0) {
            sendRegistration();
        } else {
            sendHeartbeat();
        }
    }

    private void sendRegistration() {
        inFlight = true;
        long sequence = ++requestSequence;
        send(ApiKey.BROKER_REGISTRATION, registration).whenComplete((response, failure) -> onThread(() -> {
            if (sequence != requestSequence) {
                return;
            }
            inFlight = false;
            if (failure != null) {
                retryAfterFailure("register", failure.toString());
                return;
            }
            BrokerRegistrationResponseData answer = (BrokerRegistrationResponseData) response;
            Errors error = Errors.forCode(answer.errorCode());
            if (error != Errors.NONE) {
                retryAfterFailure("register", error.name());
                return;
            }
            brokerEpoch = answer.brokerEpoch();
            backoffMs = BACKOFF_INITIAL_MS;
            LOG.info("Broker {} registered with broker epoch {} (previous broker epoch {})", registration.brokerId(),
                    brokerEpoch, registration.previousBrokerEpoch());
            sendHeartbeat();
        }));
    }

    private void sendHeartbeat() {
        inFlight = true;
        long sequence = ++requestSequence;
        long epoch = brokerEpoch;
        BrokerHeartbeatRequestData request = new BrokerHeartbeatRequestData().setBrokerId(registration.brokerId())
                .setBrokerEpoch(epoch).setCurrentMetadataOffset(metadataOffset.getAsLong())
                .setWantFence(false).setWantShutDown(wantShutDown);
        send(ApiKey.BROKER_HEARTBEAT, request).whenComplete((response, failure) -> onThread(() -> {
            if (sequence != requestSequence) {
                return; // abandoned: its controlled-shutdown attempt timed out
            }
            inFlight = false;
            if (failure != null) {
                retryAfterFailure("heartbeat", failure.toString());
                return;
            }
            onHeartbeat(epoch, (BrokerHeartbeatResponseData) response);
        }));
        if (wantShutDown) {
            scheduleAttemptTimeout(sequence);
        }
    }

    /** Abandons request {@code sequence} if still unanswered after a controlled-shutdown attempt's bound. */
    private void scheduleAttemptTimeout(long sequence) {
        onThreadAfter(() -> {
            if (sequence == requestSequence && inFlight) {
                requestSequence++;
                inFlight = false;
                retryAfterFailure("heartbeat", "no answer within "
                        + settings.controlledShutdownAttemptTimeoutMs() + " ms");
            }
        }, settings.controlledShutdownAttemptTimeoutMs());
    }

    private void onHeartbeat(long epoch, BrokerHeartbeatResponseData answer) {
        Errors error = Errors.forCode(answer.errorCode());
        if (error == Errors.STALE_BROKER_EPOCH || error == Errors.BROKER_ID_NOT_REGISTERED) {
            LOG.warn("Broker {}: the controller answered {} to a heartbeat with epoch {}; registering again",
                    registration.brokerId(), error, epoch);
            brokerEpoch = -1;
            fenced = true;
            if (wantShutDown) {
                shutDownAllowed.complete(null); // the controller holds no registration of ours: nothing to move
                return;
            }
            retryAfterFailure("heartbeat", error.name());
            return;
        }
        if (error != Errors.NONE) {
            retryAfterFailure("heartbeat", error.name());
            return;
        }
        backoffMs = BACKOFF_INITIAL_MS;
        failedShutdownAttempts = 0;
        if (answer.isFenced() != fenced) {
            LOG.info("Broker {} is {} by the controller", registration.brokerId(),
                    answer.isFenced() ? "fenced" : "unfenced");
        }
        fenced = answer.isFenced();
        if (!fenced) {
            unfenced.complete(null);
        }
        if (answer.shouldShutDown()) {
            LOG.info("Broker {}: the controller allows the shutdown (its leaderships have moved)",
                    registration.brokerId());
            shutDownAllowed.complete(null);
            return;
        }
        schedule(fenced || wantShutDown ? Math.min(FAST_HEARTBEAT_MS, settings.heartbeatIntervalMs())
                : settings.heartbeatIntervalMs());
    }

    private void retryAfterFailure(String what, String cause) {
        if (wantShutDown && ++failedShutdownAttempts >= settings.controlledShutdownAttemptsMax()) {
            LOG.warn("Broker {}: no controller answered {} controlled-shutdown attempts in a row (last: {}); stopping"
                    + " without its approval", registration.brokerId(), failedShutdownAttempts, cause);
            shutDownAllowed.completeExceptionally(new IllegalStateException("no controller reachable"));
            return;
        }
        // The first failures are usual (another incarnation's lease, a controller moving): INFO, then WARN.
        if (backoffMs >= settings.heartbeatIntervalMs()) {
            LOG.warn("Broker {}: {} failed ({}); retrying in {} ms", registration.brokerId(), what, cause, backoffMs);
        } else {
            LOG.info("Broker {}: {} failed ({}); retrying in {} ms", registration.brokerId(), what, cause, backoffMs);
        }
        long delayMs = backoffMs;
        backoffMs = Math.min(backoffMs * 2, Math.max(BACKOFF_INITIAL_MS, settings.heartbeatIntervalMs()));
        schedule(delayMs);
    }

    private CompletableFuture<ApiMessage> send(ApiKey api, ApiMessage request) {
        try {
            return channel.send(api, request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Runs a response's handling on the lifecycle thread (the channel completes on its own threads). */
    private void onThread(Runnable action) {
        ScheduledExecutorService executor;
        synchronized (this) {
            executor = thread;
        }
        if (executor == null) {
            return;
        }
        try {
            executor.execute(action);
        } catch (RejectedExecutionException e) {
            // Closing: the answer no longer matters.
        }
    }

    /** Stops heartbeating; the controller fences this broker once its lease expires (unless it shut down). */
    @Override
    public void close() {
        ScheduledExecutorService executor;
        synchronized (this) {
            executor = thread;
            thread = null;
        }
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("The broker lifecycle thread did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unfenced.completeExceptionally(new IllegalStateException("the broker lifecycle manager is closed"));
        shutDownAllowed.completeExceptionally(new IllegalStateException("the broker lifecycle manager is closed"));
    }
}
