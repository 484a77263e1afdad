package io.fjord.metadata.sim;

import io.fjord.metadata.controller.BrokerHeartbeatTracker;
import io.fjord.metadata.controller.ClusterControl;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.IsrControl;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.UnregisterBrokerRequestData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A seeded simulation of the controller's membership and election decisions, without Raft: brokers register,
 * heartbeat (sometimes behind on metadata), crash (stop heartbeating), restart with a new incarnation, shut down under
 * control and get unregistered; the controller fences expired leases on a timer, runs preferred, unclean and
 * rebalancing elections, and fails over (a new tracker, fresh leases); leaders shrink and expand their ISRs by
 * AlterPartition. Most seeds run with KIP-966's eligible leader replicas (a random min ISR per topic), and a broker
 * that stopped after its controlled shutdown registers again naming its previous epoch (a clean shutdown), one that
 * crashed does not. Records are applied in order, as the committed log would be. After every event the invariants are
 * checked: one leader per partition and leader epoch; leader epochs and partition epochs only grow, the leader epoch
 * with every leader change; every leader is an active ISR member; the ISR is a subset of the replicas, empty only with
 * ELR and no leader; the ELR is disjoint from the ISR; no partition stays leaderless while an ISR member (or, with the
 * ISR empty, an ELR member) is active; a new leader comes from the previous ISR or ELR, else it is the last known
 * leader or an unclean election's choice (allowed by the settings or asked for), and then it is RECOVERING; broker
 * epochs grow per broker; the timer fences no broker whose lease is live.
 *
 * <p>Simulated time only; deterministic given the seed. Not thread-safe: one simulation per thread.
 */
final class ControllerSimulation {
    private static final long SESSION_TIMEOUT_MS = BrokerHeartbeatTracker.DEFAULT_SESSION_TIMEOUT_MS;
    private static final String CLUSTER_ID = "sim-cluster";
    private static final int TRACE_TAIL = 40;

    private enum State { DOWN, REGISTERING, RUNNING }

    private static final class SimBroker {
        final int id;
        State state = State.DOWN;
        UUID incarnation;
        long epoch = -1;
        boolean wantShutDown;
        boolean cleanShutdown;
        long previousEpoch = -1;
        int restarts;

        SimBroker(int id) {
            this.id = id;
        }
    }

    private final long seed;
    private final Random random;
    private final int brokerCount;
    private final int events;
    private final List<String> trace = new ArrayList<>();
    private final Map<Integer, SimBroker> brokers = new TreeMap<>();
    private final ReplicationControl replication;
    private final IsrControl isrControl;
    private final boolean uncleanByDefault;
    private final boolean eligibleLeaderReplicas;
    /** Whether the event being applied is an explicit unclean election. */
    private boolean uncleanAsked;
    private BrokerHeartbeatTracker heartbeats;
    private ClusterControl cluster;
    /** When the current controller last accepted a registration or heartbeat of each broker (the sim's own view). */
    private final Map<Integer, Long> lastContactMs = new HashMap<>();
    private final Map<Integer, Long> highestEpochs = new HashMap<>();
    private final Map<String, Integer> leaderByEpoch = new HashMap<>();
    private MetadataImage image = MetadataImage.EMPTY;
    private long nowMs;
    private long nextOffset;
    private int leaderChanges;
    private int fencings;

    ControllerSimulation(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
        this.brokerCount = 3 + random.nextInt(3);
        this.events = 400;
        this.uncleanByDefault = random.nextInt(4) == 0;
        this.replication = new ReplicationControl(new ReplicationControl.Settings(uncleanByDefault, 10));
        this.isrControl = new IsrControl(replication);
        this.eligibleLeaderReplicas = random.nextInt(4) != 0;
        for (int id = 1; id <= brokerCount; id++) {
            brokers.put(id, new SimBroker(id));
        }
        failOver();
    }

    String run() {
        if (eligibleLeaderReplicas) {
            apply(new ControllerResult<>(List.of(new FeatureLevelRecord(
                    ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE, (short) 1)), null));
        }
        for (SimBroker broker : brokers.values()) {
            restart(broker);
            heartbeat(broker);
        }
        createTopics();
        for (int event = 0; event < events; event++) {
            nowMs += random.nextInt(2500);
            step();
            checkLeaseDeadline();
        }
        return String.format("seed %d: %d brokers, %d events, %d leader changes, %d fencings, %d records", seed,
                brokerCount, events, leaderChanges, fencings, nextOffset);
    }

    String fullTrace() {
        return String.join("\n", trace);
    }

    private void step() {
        int roll = random.nextInt(100);
        SimBroker broker = brokers.get(1 + random.nextInt(brokerCount));
        if (roll < 50) {
            if (broker.state == State.DOWN) {
                restart(broker);
            } else {
                heartbeat(broker);
            }
        } else if (roll < 57) {
            alterPartition();
        } else if (roll < 62) {
            note("timer");
            timer();
        } else if (roll < 70) {
            if (broker.state != State.DOWN) {
                note("crash " + broker.id);
                broker.state = State.DOWN;
            }
        } else if (roll < 76) {
            if (broker.state == State.RUNNING) {
                note("controlled shutdown requested by " + broker.id);
                broker.wantShutDown = true;
            }
        } else if (roll < 82) {
            note("preferred election of every partition");
            apply(replication.electLeaders(image, new ElectLeadersRequestData()
                    .setElectionType(ReplicationControl.PREFERRED).setTopicPartitions(null)));
        } else if (roll < 86) {
            uncleanElection();
        } else if (roll < 91) {
            note("auto rebalance");
            apply(replication.rebalanceLeaders(image));
        } else if (roll < 95) {
            failOver();
        } else if (broker.state == State.DOWN && image.brokers().containsKey(broker.id) && random.nextInt(3) == 0) {
            note("unregister " + broker.id);
            apply(cluster.unregisterBroker(image, new UnregisterBrokerRequestData().setBrokerId(broker.id)));
        }
    }

    private void failOver() {
        note("controller failover at " + nowMs);
        heartbeats = new BrokerHeartbeatTracker(SESSION_TIMEOUT_MS);
        cluster = new ClusterControl(new ClusterControl.Settings(CLUSTER_ID), heartbeats, replication);
        cluster.activate(image, nowMs);
        lastContactMs.clear();
        image.brokers().keySet().forEach(id -> lastContactMs.put(id, nowMs));
    }

    private void restart(SimBroker broker) {
        if (broker.state == State.DOWN) {
            broker.restarts++;
            broker.incarnation = new UUID(broker.id, broker.restarts);
            broker.wantShutDown = false;
            broker.previousEpoch = broker.cleanShutdown ? broker.epoch : -1;
            broker.cleanShutdown = false;
            broker.state = State.REGISTERING;
        }
        BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(broker.id)
                .setClusterId(CLUSTER_ID).setIncarnationId(broker.incarnation).setRack(null)
                .setPreviousBrokerEpoch(broker.previousEpoch);
        request.features().add(new BrokerRegistrationRequestData.Feature()
                .setName(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE).setMaxSupportedVersion((short) 1));
        request.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                .setHost("broker-" + broker.id).setPort(9092));
        BrokerRegistrationResponseData response = apply(cluster.registerBroker(image, request, nowMs));
        note("register " + broker.id + " incarnation " + broker.restarts + ": error " + response.errorCode()
                + " epoch " + response.brokerEpoch());
        if (response.errorCode() == Errors.NONE.code()) {
            Long highest = highestEpochs.get(broker.id);
            check(highest == null || response.brokerEpoch() >= highest, "broker " + broker.id + " epoch "
                    + response.brokerEpoch() + " after " + highest);
            highestEpochs.put(broker.id, response.brokerEpoch());
            broker.epoch = response.brokerEpoch();
            broker.state = State.RUNNING;
            lastContactMs.put(broker.id, nowMs);
        } else {
            check(response.errorCode() == Errors.DUPLICATE_BROKER_REGISTRATION.code(), "registration refused with "
                    + response.errorCode());
        }
    }

    private void heartbeat(SimBroker broker) {
        if (broker.state == State.REGISTERING) {
            restart(broker);
            return;
        }
        long seen = Math.max(-1, image.offset() - (random.nextInt(4) == 0 ? random.nextInt(5) : 0));
        BrokerHeartbeatRequestData request = new BrokerHeartbeatRequestData().setBrokerId(broker.id)
                .setBrokerEpoch(broker.epoch).setCurrentMetadataOffset(seen).setWantShutDown(broker.wantShutDown);
        BrokerHeartbeatResponseData response = apply(cluster.heartbeat(image, request, nowMs));
        note("heartbeat " + broker.id + " epoch " + broker.epoch + " offset " + seen
                + (broker.wantShutDown ? " wants shutdown" : "") + ": error " + response.errorCode() + " fenced "
                + response.isFenced() + " shutdown " + response.shouldShutDown());
        if (response.errorCode() != Errors.NONE.code()) {
            // Unregistered, or re-registered by a newer incarnation: this process registers again.
            broker.state = State.DOWN;
            restart(broker);
            return;
        }
        lastContactMs.put(broker.id, nowMs);
        if (response.shouldShutDown()) {
            note("broker " + broker.id + " stops");
            broker.state = State.DOWN;
            broker.cleanShutdown = true;
        }
    }

    private void timer() {
        MetadataImage before = image;
        List<Integer> fenced = apply(cluster.fenceExpiredBrokers(image, nowMs));
        for (int brokerId : fenced) {
            fencings++;
            note("lease of " + brokerId + " expired: fenced");
            long last = lastContactMs.getOrDefault(brokerId, Long.MIN_VALUE);
            check(nowMs - last > SESSION_TIMEOUT_MS, "broker " + brokerId + " fenced at " + nowMs
                    + " with a live lease from " + last);
            check(!before.brokers().get(brokerId).fenced(), "broker " + brokerId + " fenced twice");
        }
    }

    private void uncleanElection() {
        List<TopicImage> topics = new ArrayList<>(new TreeMap<>(image.topicsByName()).values());
        TopicImage topic = topics.get(random.nextInt(topics.size()));
        int partition = random.nextInt(topic.partitionCount());
        note("unclean election of " + topic.name() + "-" + partition);
        ElectLeadersRequestData request = new ElectLeadersRequestData().setElectionType(ReplicationControl.UNCLEAN);
        request.topicPartitions().add(new ElectLeadersRequestData.TopicPartitions().setTopic(topic.name())
                .setPartitions(List.of(partition)));
        uncleanAsked = true;
        try {
            apply(replication.electLeaders(image, request));
        } finally {
            uncleanAsked = false;
        }
    }

    /** A partition's leader drops a follower from its ISR, or adds back an active replica it deems caught up. */
    private void alterPartition() {
        List<TopicImage> topics = new ArrayList<>(new TreeMap<>(image.topicsByName()).values());
        TopicImage topic = topics.get(random.nextInt(topics.size()));
        PartitionImage partition = topic.partitions().get(random.nextInt(topic.partitionCount()));
        BrokerImage leader = image.brokers().get(partition.leader());
        if (leader == null) {
            return;
        }
        List<Integer> newIsr = new ArrayList<>(partition.isr());
        List<Integer> followers = partition.isr().stream().filter(id -> id != partition.leader()).toList();
        List<Integer> joiners = partition.replicas().stream().filter(id -> !partition.isr().contains(id)
                && image.brokers().containsKey(id) && image.brokers().get(id).active()).toList();
        if (random.nextBoolean() && !followers.isEmpty()) {
            newIsr.remove(followers.get(random.nextInt(followers.size())));
        } else if (!joiners.isEmpty()) {
            newIsr.add(joiners.get(random.nextInt(joiners.size())));
        }
        List<AlterPartitionRequestData.BrokerState> members = newIsr.stream().map(id ->
                new AlterPartitionRequestData.BrokerState().setBrokerId(id)
                        .setBrokerEpoch(image.brokers().get(id).brokerEpoch())).toList();
        note("alter partition " + topic.name() + "-" + partition.partitionId() + " by " + leader.brokerId() + " to "
                + newIsr);
        AlterPartitionResponseData response = apply(isrControl.alterPartition(image, new AlterPartitionRequestData()
                .setBrokerId(leader.brokerId()).setBrokerEpoch(leader.brokerEpoch()).setTopics(List.of(
                        new AlterPartitionRequestData.TopicData().setTopicId(topic.topicId()).setPartitions(List.of(
                                new AlterPartitionRequestData.PartitionData()
                                        .setPartitionIndex(partition.partitionId())
                                        .setLeaderEpoch(partition.leaderEpoch())
                                        .setPartitionEpoch(partition.partitionEpoch())
                                        .setLeaderRecoveryState(PartitionRecord.RECOVERED)
                                        .setNewIsrWithEpochs(members)))))));
        short error = response.topics().get(0).partitions().get(0).errorCode();
        check(error == Errors.NONE.code(), "a valid AlterPartition refused with " + error);
    }

    private void createTopics() {
        List<MetadataRecord> records = new ArrayList<>();
        int topics = 1 + random.nextInt(3);
        for (int topic = 0; topic < topics; topic++) {
            UUID topicId = new UUID(seed, topic);
            records.add(new TopicRecord("topic-" + topic, topicId));
            int partitions = 1 + random.nextInt(8);
            int replicationFactor = 1 + random.nextInt(Math.min(3, brokerCount));
            for (int partition = 0; partition < partitions; partition++) {
                List<Integer> replicas = new ArrayList<>();
                int first = random.nextInt(brokerCount);
                for (int replica = 0; replica < replicationFactor; replica++) {
                    replicas.add(1 + (first + replica) % brokerCount);
                }
                List<Integer> isr = replicas.stream().filter(id -> image.brokers().get(id).active()).toList();
                int leader = isr.isEmpty() ? -1 : isr.get(0);
                records.add(new PartitionRecord(topicId, partition, replicas, isr.isEmpty() ? replicas : isr, leader,
                        0, 0));
            }
            records.add(new ConfigRecord(ConfigRecord.TOPIC, "topic-" + topic, ReplicationControl.MIN_INSYNC_REPLICAS,
                    Integer.toString(1 + random.nextInt(3))));
        }
        note("create " + topics + " topics");
        apply(new ControllerResult<>(records, null));
    }

    private <T> T apply(ControllerResult<T> result) {
        MetadataImage before = image;
        MetadataDelta delta = new MetadataDelta(image);
        for (MetadataRecord record : result.records()) {
            delta.replay(record, nextOffset++);
            note("  " + record);
        }
        image = delta.apply();
        checkInvariants(before);
        return result.response();
    }

    /** After each event: the controller's next timer deadline is never later than an unfenced broker's lease. */
    private void checkLeaseDeadline() {
        long nextExpiryMs = cluster.nextLeaseExpiryMs(image);
        for (BrokerImage broker : image.brokers().values()) {
            Long last = lastContactMs.get(broker.brokerId());
            if (!broker.fenced() && last != null) {
                check(nextExpiryMs <= last + SESSION_TIMEOUT_MS + 1, "the next lease expiry " + nextExpiryMs
                        + " is after broker " + broker.brokerId() + "'s, " + (last + SESSION_TIMEOUT_MS + 1));
            }
        }
    }

    private void checkInvariants(MetadataImage before) {
        for (TopicImage topic : image.topicsById().values()) {
            TopicImage previousTopic = before.topicsById().get(topic.topicId());
            for (PartitionImage partition : topic.partitions().values()) {
                String name = topic.name() + "-" + partition.partitionId();
                check(!partition.isr().isEmpty() || eligibleLeaderReplicas
                        && partition.leader() == PartitionImage.NO_LEADER, name + " has an empty ISR");
                check(partition.replicas().containsAll(partition.isr()), name + " ISR outside the replicas");
                check(partition.replicas().containsAll(partition.eligibleLeaderReplicas()), name
                        + " ELR outside the replicas");
                check(partition.eligibleLeaderReplicas().stream().noneMatch(partition.isr()::contains), name
                        + " ELR and ISR overlap");
                check(eligibleLeaderReplicas || partition.eligibleLeaderReplicas().isEmpty()
                        && partition.lastKnownElr().isEmpty(), name + " has ELR fields without the feature");
                if (partition.leader() != PartitionImage.NO_LEADER) {
                    BrokerImage leader = image.brokers().get(partition.leader());
                    check(leader != null && leader.active(), name + " led by inactive broker " + partition.leader());
                    check(partition.isr().contains(partition.leader()), name + " leader outside the ISR");
                    Integer earlier = leaderByEpoch.putIfAbsent(name + "@" + partition.leaderEpoch(),
                            partition.leader());
                    check(earlier == null || earlier == partition.leader(), name + " has two leaders in epoch "
                            + partition.leaderEpoch());
                } else {
                    List<Integer> eligible = partition.isr().isEmpty() ? partition.eligibleLeaderReplicas()
                            : partition.isr();
                    for (int member : eligible) {
                        BrokerImage broker = image.brokers().get(member);
                        check(broker == null || !broker.active(), name + " leaderless with active eligible member "
                                + member);
                    }
                }
                PartitionImage previous = previousTopic == null ? null
                        : previousTopic.partitions().get(partition.partitionId());
                if (previous == null) {
                    continue;
                }
                check(partition.leaderEpoch() >= previous.leaderEpoch(), name + " leader epoch went back");
                check(partition.partitionEpoch() >= previous.partitionEpoch(), name + " partition epoch went back");
                if (partition.leader() != previous.leader()) {
                    leaderChanges++;
                    check(partition.leaderEpoch() > previous.leaderEpoch(), name + " leader changed in one epoch");
                    checkElectionSource(name, before, previous, partition);
                }
                if (!partition.equals(previous)) {
                    check(partition.partitionEpoch() > previous.partitionEpoch(), name + " changed in one epoch");
                }
            }
        }
    }

    /** A new leader was in sync or eligible; otherwise it is an allowed recovery, and it recovers first. */
    private void checkElectionSource(String name, MetadataImage before, PartitionImage previous,
                                     PartitionImage partition) {
        int leader = partition.leader();
        // An ELR member leads only once the ISR is empty, which the same change may have done.
        if (leader == PartitionImage.NO_LEADER || previous.isr().contains(leader)
                || previous.eligibleLeaderReplicas().contains(leader)) {
            return;
        }
        boolean lastKnownLeader = eligibleLeaderReplicas && previous.lastKnownElr().equals(List.of(leader));
        check(lastKnownLeader || uncleanByDefault || uncleanAsked, name + " leader " + leader
                + " elected from outside the ISR and ELR " + previous);
        check(partition.leaderRecoveryState() == PartitionRecord.RECOVERING, name + " unclean leader " + leader
                + " not recovering");
        if (lastKnownLeader && !uncleanByDefault && !uncleanAsked) {
            // Kafka 4.4 elects the last known leader only with the ISR and the ELR empty: each member of either
            // left in this change by registering a new incarnation after an unclean shutdown.
            List<Integer> members = new java.util.ArrayList<>(previous.isr());
            members.addAll(previous.eligibleLeaderReplicas());
            for (int member : members) {
                BrokerImage was = before.brokers().get(member);
                BrokerImage now = image.brokers().get(member);
                check(now != null && (was == null || now.brokerEpoch() != was.brokerEpoch()), name
                        + " last known leader " + leader + " elected while ISR or ELR member " + member + " could lead");
            }
        }
    }

    private void check(boolean condition, String invariant) {
        if (!condition) {
            List<String> tail = trace.subList(Math.max(0, trace.size() - TRACE_TAIL), trace.size());
            throw new AssertionError("seed " + seed + " at " + nowMs + " ms: " + invariant + "\n  last events:\n"
                    + String.join("\n", tail));
        }
    }

    private void note(String event) {
        trace.add(nowMs + " " + event);
    }
}
