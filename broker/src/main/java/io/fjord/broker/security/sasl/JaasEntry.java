package io.fjord.broker.security.sasl;

import java.util.Map;

/**
 * One login module entry of a JAAS configuration ({@code sasl.jaas.config}): the module's class name, its control
 * flag and its options. Immutable. Its text hides the option values (they hold passwords).
 */
public record JaasEntry(String loginModule, String controlFlag, Map<String, String> options) {
    public static final String PLAIN_LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    public static final String SCRAM_LOGIN_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";

    public JaasEntry {
        options = Map.copyOf(options);
    }

    /** The broker's own user name for connections it opens, from the {@code username} option. */
    public String username() {
        return options.get("username");
    }

    /** The broker's own password for connections it opens, from the {@code password} option. */
    public String password() {
        return options.get("password");
    }

    @Override
    public String toString() {
        return loginModule + " " + controlFlag + " " + options.keySet();
    }
}
