package io.fjord.metadata.controller;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerFeature;
import io.fjord.metadata.records.UnregisterBrokerRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import io.fjord.protocol.message.UnregisterBrokerRequestData;
import io.fjord.protocol.message.UnregisterBrokerResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The controller's cluster-membership decisions, Kafka's KRaft rules (KIP-631): BrokerRegistration, BrokerHeartbeat
 * with leases, fencing of brokers whose lease expired, controlled shutdown and UnregisterBroker, each
 * {@code (image, request, nowMs) -> ControllerResult(records, response)}. Partition changes these imply (leaderships
 * moved off a fenced broker, leaders for partitions a returning broker can lead) come from
 * {@link ReplicationControl} and go in the same result, so they commit atomically with the broker's change.
 *
 * <p>Broker epochs: a registration gets {@code max(image.lastBrokerEpoch(), image.offset()) + 1}. The image keeps the
 * highest epoch ever given (it survives an UnregisterBroker), so epochs grow per broker and across the cluster and
 * depend only on the image; the floor at the image's offset keeps them growing even from an image rebuilt from a
 * snapshot that no longer lists the broker that held the highest epoch (an epoch given at offset o is at most o + 1,
 * and its record lands after o). Kafka uses the registration record's offset itself, which a pure function of the
 * image cannot know while earlier operations are in flight.
 *
 * <p>Thread-safety: keeps the {@link BrokerHeartbeatTracker} (soft state, not in the log); call only from the active
 * controller's single thread, except {@link #heartbeatReceived} and {@link #heartbeatHandled}, which the threads
 * receiving heartbeats call. Time is a parameter; nothing here reads a clock.
 */
public final class ClusterControl {
    /**
     * Static settings.
     *
     * @param clusterId the cluster's id (a registration naming another is refused)
     */
    public record Settings(String clusterId) {
    }

    /** Where a broker's heartbeat leaves it (Kafka's BrokerControlState). */
    private enum BrokerState {
        FENCED, UNFENCED, CONTROLLED_SHUTDOWN, SHUTDOWN_NOW
    }

    private final Settings settings;
    private final BrokerHeartbeatTracker heartbeats;
    private final ReplicationControl replication;

    public ClusterControl(Settings settings, BrokerHeartbeatTracker heartbeats, ReplicationControl replication) {
        this.settings = settings;
        this.heartbeats = heartbeats;
        this.replication = replication;
    }

    /**
     * A heartbeat arrived (the thread that received it, before it is queued for the controller's thread): its
     * broker's lease is renewed now, and the broker is not fenced until {@link #heartbeatHandled}. Thread-safe.
     */
    public void heartbeatReceived(int brokerId, long brokerEpoch, long nowMs) {
        heartbeats.heartbeatReceived(brokerId, brokerEpoch, nowMs);
    }

    /** The controller is done with a heartbeat passed to {@link #heartbeatReceived}. Thread-safe. */
    public void heartbeatHandled(int brokerId) {
        heartbeats.heartbeatHandled(brokerId);
    }

    /** This controller became active: every registered broker gets a fresh lease. */
    public void activate(MetadataImage image, long nowMs) {
        heartbeats.resetAll(image, nowMs);
    }

    // ---------------------------------------------------------------- BrokerRegistration

    /**
     * Registers a broker, fenced until its heartbeats show it caught up. The same incarnation again gets its
     * registration back unchanged (a retried request); a new incarnation gets a new epoch once the previous
     * incarnation is fenced or its lease has expired (DUPLICATE_BROKER_REGISTRATION before), and the old
     * incarnation's leaderships and ISR memberships move in the same operation, its ELR memberships too unless it
     * shut down cleanly ({@link ReplicationControl#brokerShutdown}).
     */
    public ControllerResult<BrokerRegistrationResponseData> registerBroker(MetadataImage image,
                                                                           BrokerRegistrationRequestData request,
                                                                           long nowMs) {
        BrokerRegistrationResponseData response = new BrokerRegistrationResponseData().setBrokerEpoch(-1);
        if (!settings.clusterId().equals(request.clusterId())) {
            response.setErrorCode(Errors.INCONSISTENT_CLUSTER_ID.code());
            return new ControllerResult<>(List.of(), response);
        }
        int brokerId = request.brokerId();
        List<BrokerEndpoint> endpoints = request.listeners().stream().map(listener -> new BrokerEndpoint(
                listener.name(), listener.host(), listener.port(), listener.securityProtocol())).toList();
        List<BrokerFeature> features = request.features().stream().map(feature -> new BrokerFeature(feature.name(),
                feature.minSupportedVersion(), feature.maxSupportedVersion())).toList();
        BrokerImage existing = image.brokers().get(brokerId);
        if (existing != null && existing.incarnationId().equals(request.incarnationId())
                && existing.endpoints().equals(endpoints) && existing.features().equals(features)
                && Objects.equals(existing.rack(), request.rack())) {
            heartbeats.touch(brokerId, existing.brokerEpoch(), nowMs, -1);
            return new ControllerResult<>(List.of(), response.setBrokerEpoch(existing.brokerEpoch()));
        }
        // As Kafka: a fenced registration has no session, so a broker that shut down cleanly (fenced by its
        // controlled shutdown) registers its next incarnation at once; an unfenced one waits for its lease to end.
        if (existing != null && !existing.incarnationId().equals(request.incarnationId()) && !existing.fenced()
                && heartbeats.hasLiveLease(brokerId, nowMs)) {
            response.setErrorCode(Errors.DUPLICATE_BROKER_REGISTRATION.code());
            return new ControllerResult<>(List.of(), response);
        }
        for (Map.Entry<String, Short> finalized : image.features().entrySet()) {
            boolean supported = features.stream().anyMatch(feature -> feature.name().equals(finalized.getKey())
                    && feature.minSupportedVersion() <= finalized.getValue()
                    && finalized.getValue() <= feature.maxSupportedVersion());
            if (!supported) {
                response.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
                return new ControllerResult<>(List.of(), response);
            }
        }
        long brokerEpoch = Math.max(image.lastBrokerEpoch(), image.offset()) + 1;
        List<MetadataRecord> records = new ArrayList<>();
        // KIP-966, as Kafka 4.4: a broker that shut down cleanly names its previous epoch (BrokerRegistration v3+);
        // any other new incarnation, the first after an unregistration included, may have lost acknowledged records,
        // so it leaves the ELRs too.
        boolean cleanShutdown = existing != null && request.previousBrokerEpoch() >= 0
                && request.previousBrokerEpoch() == existing.brokerEpoch();
        records.addAll(replication.brokerShutdown(image, brokerId, cleanShutdown));
        records.add(new RegisterBrokerRecord(brokerId, request.incarnationId(), brokerEpoch, endpoints, features,
                request.rack(), true, false));
        heartbeats.touch(brokerId, brokerEpoch, nowMs, -1);
        return new ControllerResult<>(records, response.setBrokerEpoch(brokerEpoch));
    }

    // ---------------------------------------------------------------- BrokerHeartbeat

    /**
     * A heartbeat renews the broker's lease and moves it through Kafka's states: a fenced broker is unfenced once its
     * metadata offset reaches its registration's and it does not want fencing; WantShutDown puts an unfenced broker
     * in controlled shutdown (its leaderships move away), and ShouldShutDown answers true, fencing it, once it leads
     * nothing and every active broker has seen that change; WantFence fences it.
     */
    public ControllerResult<BrokerHeartbeatResponseData> heartbeat(MetadataImage image,
                                                                   BrokerHeartbeatRequestData request, long nowMs) {
        BrokerHeartbeatResponseData response = new BrokerHeartbeatResponseData().setIsFenced(true);
        BrokerImage broker = image.brokers().get(request.brokerId());
        if (broker == null) {
            return new ControllerResult<>(List.of(), response.setErrorCode(Errors.BROKER_ID_NOT_REGISTERED.code()));
        }
        if (broker.brokerEpoch() != request.brokerEpoch()) {
            return new ControllerResult<>(List.of(), response.setErrorCode(Errors.STALE_BROKER_EPOCH.code()));
        }
        heartbeats.touch(broker.brokerId(), broker.brokerEpoch(), nowMs, request.currentMetadataOffset());
        boolean caughtUp = request.currentMetadataOffset() >= broker.registeredOffset();
        BrokerState current = broker.fenced() ? BrokerState.FENCED
                : broker.inControlledShutdown() ? BrokerState.CONTROLLED_SHUTDOWN : BrokerState.UNFENCED;
        BrokerState next = nextState(image, broker, current, request, caughtUp, nowMs);
        List<MetadataRecord> records = new ArrayList<>();
        if (next != current) {
            switch (next) {
                case UNFENCED -> {
                    records.add(BrokerRegistrationChangeRecord.unfence(broker.brokerId(), broker.brokerEpoch()));
                    records.addAll(replication.brokerUnfenced(image, broker.brokerId()));
                }
                case CONTROLLED_SHUTDOWN -> {
                    // The change record goes last: the offset it lands at is past every leadership it moves.
                    records.addAll(replication.removeBroker(image, broker.brokerId()));
                    records.add(BrokerRegistrationChangeRecord.controlledShutdown(broker.brokerId(),
                            broker.brokerEpoch()));
                }
                case FENCED, SHUTDOWN_NOW -> {
                    if (current != BrokerState.FENCED) {
                        records.addAll(fence(image, broker));
                    }
                }
                default -> throw new IllegalStateException("unexpected state " + next);
            }
        }
        response.setIsCaughtUp(caughtUp)
                .setIsFenced(next == BrokerState.FENCED || next == BrokerState.SHUTDOWN_NOW)
                .setShouldShutDown(next == BrokerState.SHUTDOWN_NOW);
        return new ControllerResult<>(records, response);
    }

    private BrokerState nextState(MetadataImage image, BrokerImage broker, BrokerState current,
                                  BrokerHeartbeatRequestData request, boolean caughtUp, long nowMs) {
        return switch (current) {
            case FENCED -> request.wantShutDown() ? BrokerState.SHUTDOWN_NOW
                    : !caughtUp || request.wantFence() ? BrokerState.FENCED : BrokerState.UNFENCED;
            case UNFENCED -> {
                if (request.wantFence()) {
                    yield request.wantShutDown() ? BrokerState.SHUTDOWN_NOW : BrokerState.FENCED;
                }
                if (request.wantShutDown()) {
                    yield ReplicationControl.leadsAnyPartition(image, broker.brokerId())
                            ? BrokerState.CONTROLLED_SHUTDOWN : BrokerState.SHUTDOWN_NOW;
                }
                yield BrokerState.UNFENCED;
            }
            case CONTROLLED_SHUTDOWN -> {
                if (request.wantFence()) {
                    yield BrokerState.SHUTDOWN_NOW;
                }
                boolean done = !ReplicationControl.leadsAnyPartition(image, broker.brokerId())
                        && heartbeats.lowestActiveOffset(image, nowMs) >= broker.controlledShutdownOffset();
                yield done ? BrokerState.SHUTDOWN_NOW : BrokerState.CONTROLLED_SHUTDOWN;
            }
            case SHUTDOWN_NOW -> throw new IllegalStateException("not a registration state");
        };
    }

    private List<MetadataRecord> fence(MetadataImage image, BrokerImage broker) {
        List<MetadataRecord> records = new ArrayList<>(replication.removeBroker(image, broker.brokerId()));
        records.add(BrokerRegistrationChangeRecord.fence(broker.brokerId(), broker.brokerEpoch()));
        return records;
    }

    // ---------------------------------------------------------------- lease expiry

    /**
     * When the next lease of an unfenced broker expires (the time at which {@link #fenceExpiredBrokers} would fence
     * it if no heartbeat renews it first); {@link Long#MIN_VALUE} when one is due now, {@link Long#MAX_VALUE} when
     * none can expire.
     */
    public long nextLeaseExpiryMs(MetadataImage image) {
        return heartbeats.nextExpiryMs(image);
    }

    /** How long the broker has been silent by its lease, -1 without one (for logs). */
    public long silenceMs(int brokerId, long nowMs) {
        return heartbeats.silenceMs(brokerId, nowMs);
    }

    /**
     * Fences the unfenced brokers whose lease expired, longest silent first, each with its leaderships moved; the
     * controller calls it on a timer. Stops after the broker whose changes reach
     * {@link OperationLimits#RECORDS_PER_OPERATION_MAX} records (at least one broker per call; the next call
     * continues). The answer lists the brokers fenced. The controller calls it when {@link #nextLeaseExpiryMs} is
     * reached.
     */
    public ControllerResult<List<Integer>> fenceExpiredBrokers(MetadataImage image, long nowMs) {
        List<Integer> expired = heartbeats.expiredUnfencedBrokers(image, nowMs);
        List<MetadataRecord> records = new ArrayList<>();
        List<Integer> fenced = new ArrayList<>();
        MetadataImage current = image;
        for (int index = 0; index < expired.size(); index++) {
            if (records.size() >= OperationLimits.RECORDS_PER_OPERATION_MAX) {
                break;
            }
            int brokerId = expired.get(index);
            List<MetadataRecord> brokerRecords = fence(current, current.brokers().get(brokerId));
            records.addAll(brokerRecords);
            fenced.add(brokerId);
            if (index + 1 < expired.size()) {
                // Later brokers' elections must see this one fenced, or they could pick it as a new leader. Only
                // then: for the last (usually the only) broker the image would cost as much as the decision.
                MetadataDelta delta = new MetadataDelta(current);
                brokerRecords.forEach(record -> delta.replay(record, image.offset()));
                current = delta.apply();
            }
        }
        return new ControllerResult<>(records, fenced);
    }

    // ---------------------------------------------------------------- UnregisterBroker

    /** Removes a broker's registration, moving its leaderships and ISR memberships first. */
    public ControllerResult<UnregisterBrokerResponseData> unregisterBroker(MetadataImage image,
                                                                           UnregisterBrokerRequestData request) {
        UnregisterBrokerResponseData response = new UnregisterBrokerResponseData();
        BrokerImage broker = image.brokers().get(request.brokerId());
        if (broker == null) {
            return new ControllerResult<>(List.of(), response.setErrorCode(Errors.BROKER_ID_NOT_REGISTERED.code())
                    .setErrorMessage("Broker ID " + request.brokerId() + " is not currently registered"));
        }
        List<MetadataRecord> records = new ArrayList<>(replication.unregisterBroker(image, broker.brokerId()));
        records.add(new UnregisterBrokerRecord(broker.brokerId(), broker.brokerEpoch()));
        heartbeats.remove(broker.brokerId());
        return new ControllerResult<>(records, response.setErrorMessage(null));
    }
}
