package io.fjord.broker.network;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A request's way to have its connection muted after its response (KIP-219, as Kafka does for a quota violation): the
 * response leaves at once with its {@code throttle_time_ms}, then the connection reads and handles nothing more for
 * that long. Also for a request without a response (Produce with acks=0), which is throttled by the muting alone.
 * One per connection; the connection takes the request's mute when the request completes.
 *
 * <p>Thread-safe (lock-free): handler threads ask, the connection's event loop takes.
 */
public final class ConnectionThrottle {
    private final AtomicLong requestedMuteMs = new AtomicLong();

    /** Asks for the connection to be muted for {@code muteMs} after the current request (the longest ask wins). */
    public void muteFor(long muteMs) {
        if (muteMs > 0) {
            requestedMuteMs.accumulateAndGet(muteMs, Math::max);
        }
    }

    /** The mute asked for since the last call, 0 for none; clears it. */
    public long takeMuteMs() {
        return requestedMuteMs.getAndSet(0);
    }
}
