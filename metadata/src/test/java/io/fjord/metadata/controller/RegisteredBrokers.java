package io.fjord.metadata.controller;

import java.util.Arrays;
import java.util.UUID;

/**
 * The brokers of a {@link ControllerFixture}, numbered from 1, with the epoch each one's current incarnation got at
 * registration: tests fence, unfence, shut down and restart them by id, through the controller as the heartbeats
 * and registrations of real brokers would. Not thread-safe.
 */
final class RegisteredBrokers {
    /** The time the controller is told, in ms; the leases of these tests never expire. */
    private static final long NOW_MS = 1;

    private final ControllerFixture fixture;
    private long[] epochs = new long[1];

    RegisteredBrokers(ControllerFixture fixture) {
        this.fixture = fixture;
    }

    /** Registers and unfences brokers 1 to {@code count}. */
    void start(int count) {
        for (int broker = 1; broker <= count; broker++) {
            epochs = Arrays.copyOf(epochs, Math.max(epochs.length, broker + 1));
            epochs[broker] = fixture.startBroker(broker, 0);
        }
    }

    /** The epoch of the broker's current incarnation. */
    long epoch(int brokerId) {
        return epochs[brokerId];
    }

    /** The broker asks to be fenced, as it does when it loses its metadata log. */
    void fence(int brokerId) {
        fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(brokerId, epochs[brokerId]).setWantFence(true), NOW_MS));
    }

    /** The broker heartbeats, caught up with the metadata log: unfenced. */
    void unfence(int brokerId) {
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(brokerId, epochs[brokerId]),
                NOW_MS));
    }

    /** The broker asks for a controlled shutdown. */
    void shutDown(int brokerId) {
        fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(brokerId, epochs[brokerId]).setWantShutDown(true), NOW_MS));
    }

    /** A new incarnation of a fenced broker registers: after a clean shutdown it names its previous epoch. */
    void restart(int brokerId, boolean cleanShutdown) {
        long previous = epochs[brokerId];
        epochs[brokerId] = fixture.apply(fixture.cluster.registerBroker(fixture.image,
                ControllerFixture.registration(brokerId, UUID.randomUUID())
                        .setPreviousBrokerEpoch(cleanShutdown ? previous : -1), NOW_MS + 1)).brokerEpoch();
    }
}
