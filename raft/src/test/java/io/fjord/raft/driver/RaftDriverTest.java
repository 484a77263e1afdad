package io.fjord.raft.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.protocol.Errors;
import io.fjord.raft.DurableState;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.Role;
import io.fjord.raft.VoteRequest;
import io.fjord.raft.VoteResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RaftDriverTest {
    /** The wall clock the driver reports DescribeQuorum's times on (apart from its monotonic clock). */
    private static final long WALL_CLOCK_MS = 1_780_000_000_000L;
    private final MemoryStorage storage = new MemoryStorage();
    private final List<RaftMessage> sent = new CopyOnWriteArrayList<>();
    private final List<LogEntry> committed = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private RaftDriver driver;

    @AfterEach
    void close() throws IOException {
        if (driver != null) {
            driver.close();
        }
    }

    private void start(Set<Integer> voters) throws IOException {
        RaftConfig config = RaftConfig.withDefaults(1, voters).withTimeouts(100, 200, 100, 200, 50);
        RaftListener listener = new RaftListener() {
            @Override
            public void onCommitted(LogEntry entry) {
                committed.add(entry);
            }

            @Override
            public void onFailure(String reason, Throwable cause) {
                failures.add(reason);
            }
        };
        driver = new RaftDriver(config, storage, sent::add, listener, () -> System.nanoTime() / 1_000_000,
                () -> WALL_CLOCK_MS, new Random(42), 1024, 2);
        driver.start();
    }

    @Test
    void theTickIsATwentiethOfTheShortestTimerWithinItsBounds() {
        RaftConfig kafkaDefaults = RaftConfig.withDefaults(1, Set.of(1));
        assertThat(RaftDriver.tickIntervalMs(kafkaDefaults)).isEqualTo(25); // fetch max wait 500 ms / 20

        // Each timer alone can be the shortest: election timeout, back-off, request timeout, fetch wait (the fetch
        // timeout cannot: the wait must be shorter).
        assertThat(RaftDriver.tickIntervalMs(kafkaDefaults.withTimeouts(200, 2000, 1000, 2000, 500))).isEqualTo(10);
        assertThat(RaftDriver.tickIntervalMs(kafkaDefaults.withTimeouts(1000, 2000, 160, 2000, 500))).isEqualTo(8);
        assertThat(RaftDriver.tickIntervalMs(kafkaDefaults.withTimeouts(1000, 2000, 1000, 240, 500))).isEqualTo(12);
        assertThat(RaftDriver.tickIntervalMs(kafkaDefaults.withTimeouts(1000, 2000, 1000, 2000, 360))).isEqualTo(18);

        // Short test timeouts keep the finest tick; long ones the coarsest.
        assertThat(RaftDriver.tickIntervalMs(kafkaDefaults.withTimeouts(100, 200, 100, 200, 50))).isEqualTo(5);
        assertThat(RaftDriver.tickIntervalMs(kafkaDefaults.withTimeouts(5000, 9000, 5000, 9000, 5000)))
                .isEqualTo(25);
    }

    @Test
    void aProposalCompletesAtCommitAfterItsEntryIsDurableAndApplied() throws Exception {
        start(Set.of(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> driver.status().role() == Role.LEADER);

        long offset = driver.propose(List.of("x".getBytes(), "y".getBytes())).get(30, TimeUnit.SECONDS);

        assertThat(offset).isEqualTo(2); // after the leader-change entry at 0
        assertThat(storage.flushedEnd).isGreaterThanOrEqualTo(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> committed.size() == 3);
        assertThat(committed).extracting(LogEntry::type).containsExactly(EntryType.LEADER_CHANGE, EntryType.DATA,
                EntryType.DATA);
        assertThat(storage.state.epoch()).isEqualTo(driver.status().epoch());
    }

    @Test
    void describeQuorumReportsTheLeadersOwnTimesOnTheWallClock() throws Exception {
        start(Set.of(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> driver.status().role() == Role.LEADER);
        QuorumDescription quorum = driver.describeQuorum().get(30, TimeUnit.SECONDS);
        assertThat(quorum.voters()).singleElement().satisfies(leader -> {
            assertThat(leader.replicaId()).isEqualTo(1);
            assertThat(leader.lastFetchTimestamp()).isEqualTo(WALL_CLOCK_MS);
            assertThat(leader.lastCaughtUpTimestamp()).isEqualTo(WALL_CLOCK_MS);
        });
    }

    @Test
    void aReplicasTimeMovesFromTheMonotonicClockToTheWallClock() {
        // Fetched 1.5 s before now on the monotonic clock: 1.5 s before now on the wall clock.
        assertThat(RaftDriver.wallTime(8_500, WALL_CLOCK_MS, 10_000)).isEqualTo(WALL_CLOCK_MS - 1_500);
        assertThat(RaftDriver.wallTime(io.fjord.raft.ReplicaState.NEVER, WALL_CLOCK_MS, 10_000)).isEqualTo(-1);
    }

    @Test
    void aFailedFsyncStopsTheDriverAndFailsTheProposalInsteadOfAcknowledgingIt() throws Exception {
        start(Set.of(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> driver.status().role() == Role.LEADER);
        storage.failFlush = true;

        CompletableFuture<Long> proposal = driver.propose(List.of("x".getBytes()));

        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> proposal.get(30, TimeUnit.SECONDS));
        assertThat(((ProposalException) failure.getCause()).error()).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(driver.status().failure()).contains("storage error");
        assertThat(failures).hasSize(1);
        assertThat(committed).extracting(LogEntry::type).containsOnly(EntryType.LEADER_CHANGE);
        CompletableFuture<Long> later = driver.propose(List.of("y".getBytes()));
        assertThat(later).isCompletedExceptionally();
        assertThat(driver.deliver(new VoteRequest(2, 1, 1, 99, 2, 0, 0, false))).isFalse();
    }

    @Test
    void aVoteRequestNeverLeavesWhenItsDurableStateCannotBeWritten() throws Exception {
        storage.failStateWrite = true;
        start(Set.of(1, 2, 3));
        // Each pre-vote to node 2 is granted: the node becomes a candidate, which needs its vote for itself on disk
        // first. The latest pre-vote is answered each time, since on a loaded machine a round may time out (and a
        // new one start) before the test reads it, and a grant for an old round is ignored.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (driver.status().failure() != null) {
                return true;
            }
            VoteRequest preVote = null;
            for (RaftMessage message : sent) {
                if (message instanceof VoteRequest vote && vote.preVote() && vote.destination() == 2) {
                    preVote = vote;
                }
            }
            if (preVote != null) {
                driver.deliver(new VoteResponse(2, 1, preVote.correlationId(), Errors.NONE, -1,
                        preVote.replicaEpoch(), true, true));
            }
            return false;
        });
        assertThat(driver.status().failure()).contains("storage error");
        assertThat(sent).noneMatch(message -> message instanceof VoteRequest vote && !vote.preVote());
    }

    /** Storage in memory that can be told to fail. Used by the driver's thread only (flags are volatile). */
    private static final class MemoryStorage implements RaftStorage {
        final List<LogEntry> log = new ArrayList<>();
        volatile DurableState state = DurableState.INITIAL;
        volatile long flushedEnd;
        volatile boolean failFlush;
        volatile boolean failStateWrite;

        @Override
        public Recovered recover() {
            return new Recovered(state, -1, log);
        }

        @Override
        public void writeDurableState(DurableState newState, int leaderId) throws IOException {
            if (failStateWrite) {
                throw new IOException("disk full");
            }
            state = newState;
        }

        @Override
        public void truncateTo(long offset) {
            log.subList((int) offset, log.size()).clear();
            flushedEnd = Math.min(flushedEnd, offset);
        }

        @Override
        public void append(List<LogEntry> entries) {
            log.addAll(entries);
        }

        @Override
        public void flush() throws IOException {
            if (failFlush) {
                throw new IOException("fsync failed");
            }
            flushedEnd = log.size();
        }

        @Override
        public long endOffset() {
            return log.size();
        }

        @Override
        public void close() {
        }
    }
}
