package io.fjord.protocol.message;

/** The body of a request or a response of one of Kafka's APIs. */
public interface ApiMessage extends Message {
    ApiKey apiKey();

    boolean isRequest();
}
