package io.fjord.metadata.quorum;

import io.fjord.metadata.MetadataBatchTooLargeException;
import io.fjord.metadata.controller.ActiveControllerTasks;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.MetadataController;
import io.fjord.metadata.controller.NotControllerException;
import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.raft.Role;
import io.fjord.raft.driver.DriverStatus;
import io.fjord.raft.driver.RaftDriver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller of the metadata quorum (KIP-631's shape): active only while this node leads the Raft quorum, and
 * only once its loader has applied the first entry of its epoch, so it decides from every entry committed before it.
 * Operations run one at a time on the controller's thread: the operation decides from the image, its records become
 * one Raft entry (they commit together), and the controller's thread waits until the entry is committed and this
 * node's loader has applied it, so the next operation decides from an image holding the previous one. It never waits
 * for the publishers (a broker creating a thousand logs): the response completes once this node has also published
 * the entry, so the client's next request to this node sees the change, while the controller goes on.
 *
 * <p>Refusals: {@link NotControllerException} when this node does not lead; {@link MetadataBatchTooLargeException}
 * (nothing proposed) when the entry would pass {@link OperationLimits#RECORD_BYTES_PER_OPERATION_MAX}; an operation
 * producing more than {@link OperationLimits#RECORDS_PER_OPERATION_MAX} records fails (each operation refuses that
 * itself with Kafka's error; this is the last line of defence); a proposal the quorum did not commit fails with the
 * driver's {@code ProposalException} (its outcome is then unknown, as a timed-out Kafka request's).
 *
 * <p>{@link ActiveControllerTasks} ({@link #setActiveTasks}) run on the controller's thread too: their activation
 * before the first operation of each epoch this node leads, and their check, its records committed as one entry like
 * an operation's. After every operation and check while active the controller asks the tasks when the next check is
 * due ({@link ActiveControllerTasks#nextCheckDelayMs}: a lease's expiry) and arms a one-shot timer for then, or for
 * {@link ActiveControllerTasks#periodMs()} at the latest; the timer thread only enqueues the check (at most one
 * queued), so every decision stays on the controller's thread and time stays an input of the tasks.
 *
 * <p>Thread-safe: {@link #submit} from any thread; the controller's thread and the timer thread, created by
 * {@link #start()}, do the rest.
 */
public final class QuorumController implements MetadataController, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumController.class);

    /** An operation writing at least this many records, or taking this long, is logged with its timings. */
    private static final int LOGGED_RECORDS_MIN = 100;
    private static final long LOGGED_NANOS_MIN = TimeUnit.MILLISECONDS.toNanos(500);

    private final int nodeId;
    private final RaftDriver driver;
    private final MetadataLoader loader;
    private final long commitWaitMs;
    private ExecutorService thread;
    private ScheduledExecutorService timer;
    private ActiveControllerTasks tasks;
    /** The armed wake-up of the timer and when it is due ({@link System#nanoTime()}); guarded by {@code this}. */
    private ScheduledFuture<?> wakeUp;
    private long wakeUpDueNanos;
    /** Whether a check the timer enqueued has not started yet (the timer adds no second one). */
    private final AtomicBoolean periodicQueued = new AtomicBoolean();
    /** The leader epoch whose activation ran; owned by the controller's thread. */
    private int activatedEpoch = -1;

    /**
     * @param commitWaitMs the longest an operation waits for its leadership to begin, its entry to commit and its
     *     image to be applied (a liveness bound: a lost leadership fails the proposal at once)
     */
    public QuorumController(int nodeId, RaftDriver driver, MetadataLoader loader, long commitWaitMs) {
        this.nodeId = nodeId;
        this.driver = driver;
        this.loader = loader;
        this.commitWaitMs = commitWaitMs;
    }

    public synchronized void start() {
        thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread controller = new Thread(runnable, "fjord-controller");
            controller.setDaemon(true);
            return controller;
        });
        scheduleTasks();
    }

    /**
     * What this controller does on activation and periodically while active; set once, before or after
     * {@link #start()}. The tasks are then owned by the controller's thread.
     */
    public synchronized void setActiveTasks(ActiveControllerTasks activeTasks) {
        if (tasks != null) {
            throw new IllegalStateException("the active controller's tasks are set already");
        }
        tasks = activeTasks;
        scheduleTasks();
    }

    private synchronized void scheduleTasks() {
        if (tasks == null || thread == null || timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread timerThread = new Thread(runnable, "fjord-controller-timer");
            timerThread.setDaemon(true);
            return timerThread;
        });
        armWakeUp(tasks.periodMs());
    }

    /**
     * Arms the timer to enqueue a check in {@code delayMs}, unless it is armed for that time or sooner already. Any
     * thread; the controller's thread calls it after each operation.
     */
    private synchronized void armWakeUp(long delayMs) {
        if (timer == null) {
            return;
        }
        long nowNanos = System.nanoTime();
        long dueNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(delayMs);
        if (wakeUp != null && !wakeUp.isDone() && wakeUpDueNanos - dueNanos <= 0) {
            return;
        }
        if (wakeUp != null) {
            wakeUp.cancel(false);
        }
        wakeUp = timer.schedule(this::wakeUpFired, delayMs, TimeUnit.MILLISECONDS);
        wakeUpDueNanos = dueNanos;
    }

    /** The timer's thread: enqueues one check, and nothing more (the check re-arms the timer when it is done). */
    private void wakeUpFired() {
        if (periodicQueued.compareAndSet(false, true)) {
            submitCheck(true);
        }
    }

    /**
     * On the controller's thread after an operation or check: arms the timer for the tasks' next deadline while this
     * node is the activated controller, for their period otherwise (a node that leads but has not activated yet
     * activates at its next check).
     */
    private void armNextCheck() {
        ActiveControllerTasks activeTasks;
        synchronized (this) {
            activeTasks = tasks;
        }
        if (activeTasks == null) {
            return;
        }
        long delayMs = activeTasks.periodMs();
        try {
            DriverStatus status = driver.status();
            if (status.role() == Role.LEADER && status.epoch() == activatedEpoch) {
                delayMs = Math.min(delayMs, activeTasks.nextCheckDelayMs(loader.image()));
            }
        } catch (RuntimeException e) {
            LOG.error("Cannot tell when the controller's next check is due; checking in {} ms", delayMs, e);
        }
        armWakeUp(Math.max(0, delayMs));
    }

    /**
     * Runs the check now, on the controller's thread, if this node is the active controller (nothing
     * otherwise); the future completes once its records are committed and applied. The timer calls it; tests too.
     */
    public CompletableFuture<Void> runPeriodicTasks() {
        return submitCheck(false);
    }

    private CompletableFuture<Void> submitCheck(boolean fromTimer) {
        ActiveControllerTasks activeTasks;
        synchronized (this) {
            activeTasks = tasks;
        }
        if (activeTasks == null) {
            return CompletableFuture.completedFuture(null);
        }
        return submit(image -> {
            ControllerResult<?> checked = activeTasks.periodic(image);
            return new ControllerResult<Void>(checked.records(), null);
        }, true, fromTimer);
    }

    /** Whether this node leads the quorum and its loader has begun its epoch (operations are decided here). */
    public boolean isActive() {
        DriverStatus status = driver.status();
        return status.role() == Role.LEADER && loader.awaitLeaderChange(status.epoch()).isDone();
    }

    @Override
    public <T> CompletableFuture<T> submit(Function<MetadataImage, ControllerResult<T>> operation) {
        return submit(operation, false, false);
    }

    private <T> CompletableFuture<T> submit(Function<MetadataImage, ControllerResult<T>> operation,
                                            boolean onlyIfActive, boolean timerCheck) {
        CompletableFuture<T> result = new CompletableFuture<>();
        ExecutorService executor;
        synchronized (this) {
            executor = thread;
        }
        if (executor == null) {
            result.completeExceptionally(new NotControllerException("the controller of node " + nodeId
                    + " is not running"));
            return result;
        }
        try {
            executor.execute(new Task<>(operation, result, onlyIfActive, timerCheck));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new NotControllerException("the controller of node " + nodeId
                    + " is shutting down"));
        }
        return result;
    }

    private <T> void run(Function<MetadataImage, ControllerResult<T>> operation, CompletableFuture<T> result,
                         boolean onlyIfActive) {
        if (onlyIfActive && !isActive()) {
            result.complete(null); // a periodic check on a node that is not the active controller: nothing to do
            return;
        }
        try {
            MetadataImage image = activeImage();
            long startNanos = System.nanoTime();
            ControllerResult<T> decided = operation.apply(image);
            List<io.fjord.metadata.records.MetadataRecord> records = decided.records();
            if (records.size() > OperationLimits.RECORDS_PER_OPERATION_MAX) {
                throw new IllegalStateException("a controller operation produced " + records.size()
                        + " records, more than " + OperationLimits.RECORDS_PER_OPERATION_MAX);
            }
            if (records.isEmpty()) {
                result.complete(decided.response());
                return;
            }
            long decidedNanos = System.nanoTime();
            byte[] payload = MetadataEntries.encode(records);
            long offset = commit(payload);
            long appliedNanos = System.nanoTime();
            if (records.size() >= LOGGED_RECORDS_MIN || appliedNanos - startNanos >= LOGGED_NANOS_MIN) {
                // How long a large change (1,000 leaderships off a fenced broker) takes to decide and commit.
                LOG.info("Committed {} metadata records ({} bytes) at offset {}: decided in {} ms, encoded, committed"
                                + " and applied in {} ms", records.size(), payload.length, offset,
                        (decidedNanos - startNanos) / 1_000_000, (appliedNanos - decidedNanos) / 1_000_000);
            }
            loader.awaitPublished(offset + 1).whenComplete((published, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(decided.response());
                }
            });
        } catch (MetadataBatchTooLargeException | NotControllerException e) {
            // The request's fault or the wrong node, not this node's: the handler answers it with Kafka's code.
            LOG.info("Refused a controller operation: {}", e.getMessage());
            result.completeExceptionally(e);
        } catch (InterruptedException e) {
            result.completeExceptionally(new NotControllerException("the controller of node " + nodeId
                    + " is shutting down"));
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Controller operation failed", e);
            result.completeExceptionally(e);
        } catch (Error e) {
            // Escapes the task, so the thread's uncaught-exception handler (the node's fatal error handler) hears
            // of it; the caller is not left waiting meanwhile.
            result.completeExceptionally(e);
            throw e;
        }
    }

    /** The image to decide from, once this node's leadership has begun in its loader. */
    private MetadataImage activeImage() throws InterruptedException {
        DriverStatus status = driver.status();
        if (status.role() != Role.LEADER) {
            throw new NotControllerException("node " + nodeId + " is not the active controller"
                    + (status.leaderId() < 0 ? "; no leader is known" : "; node " + status.leaderId() + " is"));
        }
        MetadataImage image = await(loader.awaitLeaderChange(status.epoch()), "the start of epoch " + status.epoch());
        ActiveControllerTasks activeTasks;
        synchronized (this) {
            activeTasks = tasks;
        }
        if (activeTasks != null && status.epoch() != activatedEpoch) {
            // A new leadership: the soft state starts afresh before anything is decided in this epoch.
            activeTasks.activated(image);
            activatedEpoch = status.epoch();
            LOG.info("Node {} is the active controller in epoch {}", nodeId, status.epoch());
            List<io.fjord.metadata.records.MetadataRecord> bootstrap = activeTasks.bootstrap(image);
            if (!bootstrap.isEmpty()) {
                // Committed before this epoch decides anything, so every operation sees the cluster's defaults.
                commit(MetadataEntries.encode(bootstrap));
                image = loader.image();
            }
        }
        return image;
    }

    /** Commits one entry and waits until this node's loader applied it (not published it); returns its offset. */
    private long commit(byte[] payload) throws InterruptedException {
        if (payload.length > OperationLimits.RECORD_BYTES_PER_OPERATION_MAX) {
            throw new MetadataBatchTooLargeException(payload.length, OperationLimits.RECORD_BYTES_PER_OPERATION_MAX);
        }
        long offset = await(driver.propose(List.of(payload)), "the commit of a metadata entry");
        await(loader.awaitApplied(offset + 1), "metadata offset " + offset + " to be applied");
        return offset;
    }

    private <V> V await(CompletableFuture<V> future, String what) throws InterruptedException {
        try {
            return future.get(commitWaitMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("waited " + commitWaitMs + " ms for " + what);
        }
    }

    /** Stops taking operations; one in progress is interrupted and fails (its entry may still commit). */
    @Override
    public void close() {
        ExecutorService executor;
        synchronized (this) {
            executor = thread;
            thread = null;
            if (timer != null) {
                timer.shutdownNow();
                timer = null;
                wakeUp = null;
            }
        }
        if (executor != null) {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                    failNotRun(executor.shutdownNow());
                }
            } catch (InterruptedException e) {
                failNotRun(executor.shutdownNow());
                Thread.currentThread().interrupt();
            }
        }
    }

    private void failNotRun(List<Runnable> notRun) {
        for (Runnable runnable : notRun) {
            if (runnable instanceof Task<?> task) {
                task.result.completeExceptionally(new NotControllerException("the controller of node " + nodeId
                        + " shut down"));
            }
        }
    }

    /** One submitted operation and the future of its response. */
    private final class Task<T> implements Runnable {
        private final Function<MetadataImage, ControllerResult<T>> operation;
        private final CompletableFuture<T> result;
        private final boolean onlyIfActive;
        private final boolean timerCheck;

        Task(Function<MetadataImage, ControllerResult<T>> operation, CompletableFuture<T> result,
             boolean onlyIfActive, boolean timerCheck) {
            this.operation = operation;
            this.result = result;
            this.onlyIfActive = onlyIfActive;
            this.timerCheck = timerCheck;
        }

        @Override
        public void run() {
            if (timerCheck) {
                periodicQueued.set(false); // started: a wake-up from now on may enqueue the next check
            }
            try {
                QuorumController.this.run(operation, result, onlyIfActive);
            } finally {
                armNextCheck();
            }
        }
    }
}
