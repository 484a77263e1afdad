package io.fjord.server;

import io.fjord.metadata.records.UserScramCredentialRecord;
import io.fjord.metadata.scram.ScramFunctions;
import io.fjord.metadata.scram.ScramMechanism;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * Parses {@code fjord format --add-scram} values in {@code kafka-storage format}'s syntax,
 * {@code SCRAM-SHA-256=[name=alice,password=alice-secret]} (optionally {@code iterations=8192}; values may be
 * double-quoted), into the credential record the new cluster starts with: a random salt, the password never stored.
 * Stateless; thread-safe.
 */
final class ScramBootstrap {
    private ScramBootstrap() {
    }

    static UserScramCredentialRecord parse(String text, SecureRandom random) {
        int equals = text.indexOf('=');
        if (equals <= 0 || !text.endsWith("]") || text.charAt(equals + 1) != '[') {
            throw new IllegalArgumentException("--add-scram " + mechanismOf(text)
                    + " is not of the form SCRAM-SHA-256=[name=alice,password=alice-secret]");
        }
        String mechanismName = text.substring(0, equals).trim();
        ScramMechanism mechanism = ScramMechanism.fromMechanismName(mechanismName).orElseThrow(() ->
                new IllegalArgumentException("The add-scram mechanism " + mechanismName + " is not supported."));
        Map<String, String> values = new HashMap<>();
        for (String pair : text.substring(equals + 2, text.length() - 1).split(",")) {
            int separator = pair.indexOf('=');
            if (separator <= 0) {
                throw new IllegalArgumentException("--add-scram " + mechanismName + " has an entry without '='");
            }
            String value = pair.substring(separator + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            values.put(pair.substring(0, separator).trim().toLowerCase(java.util.Locale.ROOT), value);
        }
        String name = values.get("name");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("You must supply 'name' to add-scram");
        }
        String password = values.get("password");
        if (password == null) {
            throw new IllegalArgumentException("You must supply 'password' to add-scram (salt and saltedpassword "
                    + "are not supported by fjord format)");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(values.getOrDefault("iterations", "4096"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--add-scram iterations must be a number");
        }
        if (iterations < ScramMechanism.MIN_ITERATIONS || iterations > ScramMechanism.MAX_ITERATIONS) {
            throw new IllegalArgumentException("--add-scram iterations must be between "
                    + ScramMechanism.MIN_ITERATIONS + " and " + ScramMechanism.MAX_ITERATIONS);
        }
        return new UserScramCredentialRecord(name, mechanism.type(),
                new ScramFunctions(mechanism).credential(password, iterations, random));
    }

    private static String mechanismOf(String text) {
        int equals = text.indexOf('=');
        return equals > 0 ? text.substring(0, equals) : "value"; // never echo a password
    }
}
