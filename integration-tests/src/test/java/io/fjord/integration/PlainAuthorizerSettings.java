package io.fjord.integration;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The secured test cluster of the authorization ITs, configured as docs/security.md's example: clients and brokers
 * on a SASL_PLAINTEXT listener named SASL with PLAIN users (each user's password is its name followed by
 * {@code -secret}; {@code broker} is the inter-broker user), the StandardAuthorizer, and as super users the brokers,
 * the controllers (User:ANONYMOUS on the PLAINTEXT controller listener, as in Kafka) and {@code admin}. Stateless.
 */
final class PlainAuthorizerSettings {
    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule required";

    private PlainAuthorizerSettings() {
    }

    /** A node's settings, with {@code broker}, {@code admin} and {@code users} able to log in. */
    static Map<String, String> node(String... users) {
        StringBuilder jaas = new StringBuilder(PLAIN_MODULE)
                .append(" username=\"broker\" password=\"broker-secret\" user_broker=\"broker-secret\"")
                .append(" user_admin=\"admin-secret\"");
        for (String user : users) {
            jaas.append(" user_").append(user).append("=\"").append(user).append("-secret\"");
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL://127.0.0.1:0");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL:SASL_PLAINTEXT,"
                + "CONTROLLER:PLAINTEXT");
        settings.put("inter.broker.listener.name", "SASL");
        settings.put("sasl.enabled.mechanisms", "PLAIN");
        settings.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        settings.put("listener.name.sasl.plain.sasl.jaas.config", jaas.append(';').toString());
        settings.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        settings.put("super.users", "User:broker;User:ANONYMOUS;User:admin");
        return settings;
    }

    /** A client's security settings as {@code user}. */
    static Properties client(String user) {
        Properties config = new Properties();
        config.put("security.protocol", "SASL_PLAINTEXT");
        config.put("sasl.mechanism", "PLAIN");
        config.put("sasl.jaas.config", PLAIN_MODULE + " username=\"" + user + "\" password=\"" + user
                + "-secret\";");
        return config;
    }
}
