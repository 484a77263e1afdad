package io.fjord.broker.replica.sim;

import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.replica.ReplicaManager;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One seed of the replication simulation (issue #12): 3-5 brokers with real logs and the production replica manager,
 * fetchers and leader handlers, a controller deciding with the production classes, a producer writing acks=all with
 * {@code min.insync.replicas=2} on RF=3, and faults (crashes losing unflushed data, restarts, network partitions,
 * one-way cuts, heals), in one thread and simulated time. {@link ReplicationInvariants} are checked after every step;
 * a failure carries the seed and the tail of the trace.
 *
 * <p>Not thread-safe: one run on one thread.
 */
final class ReplicationSimulation {
    private static final int PARTITIONS = 2;
    private static final int REPLICATION_FACTOR = 3;
    private static final int MIN_INSYNC_REPLICAS = 2;
    private static final long FAULTS_UNTIL_MS = 10_000;
    private static final long SETTLE_MS = 5_000;
    private static final long START_MS = 1_000_000;

    /** What a run did, for the report. */
    record Summary(long seed, int brokers, long steps, long produced, long acknowledged, long verified,
                   int crashes, int networkFaults, int uncleanElections, int voidedAcks, String committedEnds) {
    }

    private final long seed;
    private final SplittableRandom random;
    private final SimEvents events;
    private final SimNetwork network;
    private final SimController controller;
    private final List<SimBroker> brokers = new ArrayList<>();
    private final ReplicationInvariants invariants;
    private final UUID topicId;
    private boolean topicCreated;
    private long produced;
    private long acknowledged;
    private int crashes;
    private int networkFaults;

    ReplicationSimulation(long seed, Path directory) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.events = new SimEvents(new ManualClock(START_MS));
        this.invariants = new ReplicationInvariants(events);
        this.network = new SimNetwork(events, random, 1 + random.nextInt(30), random.nextInt(3) * 0.01);
        long sessionTimeoutMs = 1_500 + random.nextInt(1_500);
        this.controller = new SimController(events, sessionTimeoutMs, this::publish);
        this.topicId = new UUID(seed, 42);
        int brokerCount = 3 + random.nextInt(3);
        long replicaLagTimeMaxMs = 500 + random.nextInt(1_500);
        for (int id = 1; id <= brokerCount; id++) {
            brokers.add(new SimBroker(id, directory.resolve("broker-" + id), events, network, random, this,
                    replicaLagTimeMaxMs));
        }
        events.note("seed " + seed + ": " + brokerCount + " brokers, session timeout " + sessionTimeoutMs
                + " ms, replica.lag.time.max.ms " + replicaLagTimeMaxMs);
    }

    SimController controller() {
        return controller;
    }

    SimBroker broker(int id) {
        return brokers.get(id - 1);
    }

    Summary run() {
        try {
            brokers.forEach(SimBroker::start);
            every(100, 100, "controller tick", this::controllerTick);
            every(300, 600, "metadata resend", () -> publish(controller.image()));
            every(5, 40, "produce", this::produce);
            events.after(500 + random.nextInt(1_000), "first fault", this::fault);
            long endMs = START_MS + FAULTS_UNTIL_MS + SETTLE_MS;
            while (events.runNext(endMs)) {
                invariants.check(controller.image(), brokers);
            }
            invariants.check(controller.image(), brokers);
            brokers.forEach(broker -> events.note(broker.describe()));
            invariants.checkEnd(controller.image(), MIN_INSYNC_REPLICAS);
            if (acknowledged == 0) {
                throw new AssertionError("nothing was acknowledged: the run proves nothing");
            }
            StringBuilder ends = new StringBuilder();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                ends.append(invariants.committedEnd(partition)).append(' ');
            }
            return new Summary(seed, brokers.size(), events.steps(), produced, acknowledged,
                    invariants.verifiedAcks(), crashes, networkFaults, invariants.uncleanElections(),
                    invariants.voidedAcks(), ends.toString().trim());
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("replication simulation seed " + seed + " failed at " + events.nowMs()
                    + " ms: " + e.getMessage() + "\n--- trace tail ---\n" + String.join("\n", events.traceTail())
                    + "\n--- rerun with -Dreplication.sim.seeds=" + seed, e);
        } finally {
            for (SimBroker broker : brokers) {
                try {
                    broker.stop();
                } catch (RuntimeException e) {
                    // A broken run must still let go of its files.
                }
            }
        }
    }

    private void every(long minMs, long maxMs, String label, Runnable task) {
        events.after(minMs + random.nextLong(maxMs - minMs + 1), label, () -> {
            task.run();
            every(minMs, maxMs, label, task);
        });
    }

    // ---------------------------------------------------------------- controller

    private void controllerTick() {
        controller.fenceExpiredBrokers();
        if (!topicCreated && brokers.stream().allMatch(broker -> {
            BrokerImage registration = controller.image().brokers().get(broker.id());
            return registration != null && !registration.fenced();
        })) {
            topicCreated = true;
            List<List<Integer>> assignments = new ArrayList<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                List<Integer> ids = new ArrayList<>();
                brokers.forEach(broker -> ids.add(broker.id()));
                Collections.shuffle(ids, new java.util.Random(random.nextLong()));
                assignments.add(List.copyOf(ids.subList(0, REPLICATION_FACTOR)));
            }
            controller.createTopic(SimBroker.TOPIC, topicId, assignments, MIN_INSYNC_REPLICAS);
        }
    }

    /** Sends the image to every broker over the network: each sees it after its own delay, or later. */
    private void publish(MetadataImage image) {
        for (SimBroker broker : brokers) {
            network.send(SimNetwork.CONTROLLER, broker.id(), "metadata " + image.offset() + " to " + broker.id(),
                    () -> broker.receiveImage(image));
        }
    }

    // ---------------------------------------------------------------- producer

    /** One acks=all batch of 1-3 records to the partition's leader as the controller last said. */
    private void produce() {
        if (!topicCreated || events.nowMs() > START_MS + FAULTS_UNTIL_MS + SETTLE_MS / 2) {
            return;
        }
        int partition = random.nextInt(PARTITIONS);
        PartitionImage partitionImage = controller.image().topic(SimBroker.TOPIC).orElseThrow().partitions()
                .get(partition);
        if (partitionImage.leader() == PartitionImage.NO_LEADER) {
            return;
        }
        int leaderId = partitionImage.leader();
        List<String> values = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int index = 0; index < count; index++) {
            values.add("s" + seed + "-" + produced + "-" + index);
        }
        produced++;
        TopicPartition topicPartition = new TopicPartition(SimBroker.TOPIC, partition);
        ByteBuffer batch = batch(values);
        network.send(SimNetwork.CLIENT, leaderId, "produce p" + partition + " to " + leaderId, () ->
                broker(leaderId).produce(List.of(new ReplicaManager.LeaderAppend(topicPartition, batch)),
                        outcomes -> {
                            if (outcomes == null) {
                                return;
                            }
                            ReplicaManager.AppendOutcome outcome = outcomes.get(0);
                            network.send(leaderId, SimNetwork.CLIENT, "produce answer p" + partition, () ->
                                    onProduceAnswer(partition, leaderId, values, outcome));
                        }));
    }

    private void onProduceAnswer(int partition, int leaderId, List<String> values,
            ReplicaManager.AppendOutcome outcome) {
        if (outcome.error() != Errors.NONE) {
            events.note("produce p" + partition + " at " + leaderId + ": " + outcome.error());
            return;
        }
        acknowledged++;
        long baseOffset = outcome.result().firstOffset();
        events.note("acknowledged p" + partition + " " + values + " at " + baseOffset + " by " + leaderId);
        invariants.acknowledged(partition, baseOffset, values, events.nowMs());
    }

    private static ByteBuffer batch(List<String> values) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < values.size(); index++) {
            records.add(new Record(index, 1_000L, null,
                    ByteBuffer.wrap(values.get(index).getBytes(StandardCharsets.UTF_8)), List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), records);
    }

    // ---------------------------------------------------------------- faults

    private void fault() {
        if (events.nowMs() >= START_MS + FAULTS_UNTIL_MS) {
            healEverything();
            return;
        }
        int kind = random.nextInt(6);
        SimBroker target = brokers.get(random.nextInt(brokers.size()));
        if (kind <= 1 && random.nextBoolean()) {
            // Half of the crashes hit a leader.
            List<Integer> leaders = currentLeaders();
            if (!leaders.isEmpty()) {
                target = broker(leaders.get(random.nextInt(leaders.size())));
            }
        }
        switch (kind) {
            case 0, 1 -> {
                if (target.isAlive()) {
                    crashes++;
                    // A process kill keeps what the page cache holds; a power loss only what was flushed.
                    target.crash(random.nextInt(3) == 0);
                    SimBroker crashed = target;
                    events.after(100 + random.nextInt(kind == 0 ? 500 : 4_000), "restart " + target.id(), () -> {
                        if (!crashed.isAlive()) {
                            crashed.start();
                        }
                    });
                }
            }
            case 2 -> {
                networkFaults++;
                boolean alsoController = random.nextBoolean();
                events.note("network: isolating broker " + target.id() + (alsoController ? " (and from the controller)"
                        : " from the brokers"));
                for (SimBroker other : brokers) {
                    cutBothWays(target.id(), other.id());
                }
                cutBothWays(target.id(), SimNetwork.CLIENT);
                if (alsoController) {
                    cutBothWays(target.id(), SimNetwork.CONTROLLER);
                }
            }
            case 3 -> {
                networkFaults++;
                SimBroker other = brokers.get(random.nextInt(brokers.size()));
                events.note("network: one-way cut " + target.id() + " -> " + other.id());
                network.cut(target.id(), other.id());
            }
            case 4 -> {
                events.note("network: healed");
                network.healAll();
            }
            default -> {
                for (SimBroker broker : brokers) {
                    if (!broker.isAlive()) {
                        events.note("restarting " + broker.id());
                        broker.start();
                    }
                }
            }
        }
        events.after(50 + random.nextInt(random.nextBoolean() ? 600 : 1_500), "fault", this::fault);
    }

    private void cutBothWays(int one, int other) {
        if (one != other) {
            network.cut(one, other);
            network.cut(other, one);
        }
    }

    private List<Integer> currentLeaders() {
        List<Integer> leaders = new ArrayList<>();
        controller.image().topic(SimBroker.TOPIC).ifPresent(topic -> topic.partitions().values().forEach(
                partition -> {
                    if (partition.leader() != PartitionImage.NO_LEADER) {
                        leaders.add(partition.leader());
                    }
                }));
        return leaders;
    }

    private void healEverything() {
        events.note("end of faults: healing the network and restarting every broker");
        network.healAll();
        for (SimBroker broker : brokers) {
            if (!broker.isAlive()) {
                broker.start();
            }
        }
    }

    /**
     * A fault outside the model (for the test that shows the checks fail): at {@code atMs} after the start, the
     * elected leader of partition 0 loses its last committed batch, as a storage bug would.
     */
    void loseCommittedRecordAt(long atMs) {
        events.at(START_MS + atMs, "sabotage", () -> {
            PartitionImage partition = controller.image().topic(SimBroker.TOPIC).orElseThrow().partitions().get(0);
            SimBroker leader = partition.leader() == PartitionImage.NO_LEADER ? null : broker(partition.leader());
            if (leader == null || !leader.isAlive() || leader.replicaManager().log(
                    new TopicPartition(SimBroker.TOPIC, 0)).orElseThrow().highWatermark() == 0) {
                loseCommittedRecordAt(atMs + 100);
                return;
            }
            var log = leader.replicaManager().log(new TopicPartition(SimBroker.TOPIC, 0)).orElseThrow();
            events.note("sabotage: truncating p0 on its leader " + leader.id() + " below its high watermark "
                    + log.highWatermark());
            log.truncateTo(log.highWatermark() - 1);
        });
    }

    List<String> traceTail() {
        return events.traceTail();
    }

    /** For the report: the partitions' assignment and leaders at the end. */
    Map<Integer, String> partitionStates() {
        Map<Integer, String> states = new TreeMap<>();
        controller.image().topic(SimBroker.TOPIC).ifPresent(topic -> topic.partitions().forEach((id, partition) ->
                states.put(id, "leader " + partition.leader() + " isr " + partition.isr() + " elr "
                        + partition.eligibleLeaderReplicas())));
        return states;
    }
}
