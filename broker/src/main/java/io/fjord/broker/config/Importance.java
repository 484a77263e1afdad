package io.fjord.broker.config;

/** Kafka's importance of a configuration, as its documentation lists it. Immutable. */
public enum Importance {
    HIGH, MEDIUM, LOW
}
