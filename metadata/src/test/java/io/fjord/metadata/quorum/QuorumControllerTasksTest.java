package io.fjord.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.metadata.controller.ActiveControllerTasks;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's activation hook and periodic check, over a real Raft quorum of one in a temporary directory. */
class QuorumControllerTasksTest {
    /** Liveness bound for one operation on a busy machine. */
    private static final long BOUND_MS = 60_000;
    /** A period so long the timer never fires during a test: checks run only when the test asks. */
    private static final long NEVER_MS = 3_600_000;

    @TempDir
    Path directory;
    private MetadataQuorum quorum;

    @AfterEach
    void close() throws Exception {
        if (quorum != null) {
            quorum.close();
        }
    }

    private void start() throws Exception {
        quorum = MetadataQuorum.standalone(1, directory, BOUND_MS);
        quorum.start();
        quorum.awaitCaughtUp(BOUND_MS);
    }

    private static List<MetadataRecord> topic(String name) {
        UUID id = UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return List.of(new TopicRecord(name, id), new PartitionRecord(id, 0, List.of(1), List.of(1), 1, 0, 0));
    }

    /** Records the calls it gets, with the controller thread's name; the next check writes {@link #nextRecords}. */
    private static final class RecordingTasks implements ActiveControllerTasks {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile List<MetadataRecord> nextRecords = List.of();
        /** What {@link #nextCheckDelayMs} answers: nothing due unless a test says so. */
        volatile long nextCheckDelayMs = Long.MAX_VALUE;
        private final long periodMs;

        RecordingTasks(long periodMs) {
            this.periodMs = periodMs;
        }

        @Override
        public void activated(MetadataImage image) {
            calls.add("activated on " + Thread.currentThread().getName());
        }

        @Override
        public ControllerResult<?> periodic(MetadataImage image) {
            calls.add("periodic on " + Thread.currentThread().getName());
            List<MetadataRecord> records = nextRecords;
            nextRecords = List.of();
            return new ControllerResult<>(records, "checked");
        }

        @Override
        public long nextCheckDelayMs(MetadataImage image) {
            return nextCheckDelayMs;
        }

        @Override
        public long periodMs() {
            return periodMs;
        }
    }

    @Test
    void activationRunsOnceOnTheControllersThreadBeforeTheFirstOperationOfTheLeadership() throws Exception {
        start();
        RecordingTasks tasks = new RecordingTasks(NEVER_MS);
        quorum.controller().setActiveTasks(tasks);

        for (int operation = 0; operation < 2; operation++) {
            quorum.controller().submit(image -> {
                tasks.calls.add("operation");
                return new ControllerResult<>(List.of(), null);
            }).get(BOUND_MS, TimeUnit.MILLISECONDS);
        }

        assertThat(tasks.calls).containsExactly("activated on fjord-controller", "operation", "operation");
    }

    @Test
    void aPeriodicCheckCommitsItsRecordsAsOneEntry() throws Exception {
        start();
        RecordingTasks tasks = new RecordingTasks(NEVER_MS);
        quorum.controller().setActiveTasks(tasks);
        long before = quorum.loader().appliedEndOffset();
        tasks.nextRecords = topic("checked");

        quorum.controller().runPeriodicTasks().get(BOUND_MS, TimeUnit.MILLISECONDS);

        assertThat(quorum.loader().image().topic("checked")).isPresent();
        assertThat(quorum.loader().appliedEndOffset()).isEqualTo(before + 1);
        assertThat(tasks.calls).containsExactly("activated on fjord-controller", "periodic on fjord-controller");
    }

    @Test
    void theTimerRunsTheCheckAtLeastEveryPeriodWhileActive() throws Exception {
        start();
        RecordingTasks tasks = new RecordingTasks(5);
        tasks.nextRecords = topic("timed");
        quorum.controller().setActiveTasks(tasks);

        await().atMost(Duration.ofMillis(BOUND_MS))
                .until(() -> quorum.loader().image().topic("timed").isPresent());
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> tasks.calls.size() >= 3);
        List<String> calls = List.copyOf(tasks.calls);
        assertThat(calls.get(0)).isEqualTo("activated on fjord-controller");
        assertThat(calls.subList(1, calls.size())).allMatch(call -> call.equals("periodic on fjord-controller"));
    }

    @Test
    void anOperationArmsTheTimerForTheTasksNextDeadline() throws Exception {
        start();
        RecordingTasks tasks = new RecordingTasks(NEVER_MS);
        quorum.controller().setActiveTasks(tasks);
        quorum.controller().submit(image -> new ControllerResult<>(List.of(), null)).get(BOUND_MS,
                TimeUnit.MILLISECONDS);
        assertThat(tasks.calls).containsExactly("activated on fjord-controller");

        // A deadline (a lease's expiry) now due: the timer fires for it, not at the hour-long period.
        tasks.nextRecords = topic("due");
        tasks.nextCheckDelayMs = 0;
        quorum.controller().submit(image -> new ControllerResult<>(List.of(), null)).get(BOUND_MS,
                TimeUnit.MILLISECONDS);

        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> quorum.loader().image().topic("due").isPresent());
        assertThat(tasks.calls).contains("periodic on fjord-controller");
    }

    @Test
    void aNodeThatDoesNotLeadRunsNoTasks() throws Exception {
        // Voters 1 and 2, and node 2 never runs: node 1 cannot be elected.
        quorum = new MetadataQuorum(1, Set.of(1, 2), directory, message -> {
        }, BOUND_MS);
        quorum.start();
        RecordingTasks tasks = new RecordingTasks(NEVER_MS);
        quorum.controller().setActiveTasks(tasks);
        tasks.nextRecords = topic("never");

        quorum.controller().runPeriodicTasks().get(BOUND_MS, TimeUnit.MILLISECONDS);

        assertThat(tasks.calls).isEmpty();
        assertThat(quorum.loader().image().topic("never")).isEmpty();
    }
}
