package io.fjord.protocol.message;

/** A message of the Kafka protocol in Fjord's own classes (generated from Kafka's schemas). */
public interface Message {
}
