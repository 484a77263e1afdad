package io.fjord.storage;

import java.time.Instant;
import java.time.InstantSource;

/** A clock tests move by hand. Thread-safe. */
public final class ManualClock implements InstantSource {
    private volatile long millis;

    public ManualClock(long millis) {
        this.millis = millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis() {
        return millis;
    }

    public void advance(long deltaMs) {
        millis += deltaMs;
    }
}
