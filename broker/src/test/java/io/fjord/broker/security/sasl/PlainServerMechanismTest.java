package io.fjord.broker.security.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlainServerMechanismTest {
    private static final Map<String, String> OPTIONS = Map.of("username", "admin", "password", "admin-secret",
            "user_admin", "admin-secret", "user_alice", "alice-secret");

    private static byte[] message(String authorizationId, String user, String password) {
        return (authorizationId + "\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aListedUserWithItsPasswordAuthenticates() throws Exception {
        PlainServerMechanism server = new PlainServerMechanism(OPTIONS);
        assertThat(server.evaluate(message("", "alice", "alice-secret"))).isEmpty();
        assertThat(server.isComplete()).isTrue();
        assertThat(server.authenticatedUser()).isEqualTo("alice");
    }

    @Test
    void wrongPasswordsUnknownUsersAndBadMessagesFailWithKafkasMessages() {
        assertThatThrownBy(() -> new PlainServerMechanism(OPTIONS).evaluate(message("", "alice", "wrong")))
                .hasMessage("Authentication failed: Invalid username or password");
        assertThatThrownBy(() -> new PlainServerMechanism(OPTIONS).evaluate(message("", "bob", "alice-secret")))
                .hasMessage("Authentication failed: Invalid username or password");
        assertThatThrownBy(() -> new PlainServerMechanism(OPTIONS).evaluate(message("", "", "x")))
                .hasMessage("Authentication failed: username not specified");
        assertThatThrownBy(() -> new PlainServerMechanism(OPTIONS).evaluate(message("", "alice", "")))
                .hasMessage("Authentication failed: password not specified");
        assertThatThrownBy(() -> new PlainServerMechanism(OPTIONS).evaluate(message("admin", "alice",
                "alice-secret"))).hasMessageContaining("authorization id that is different from username");
        assertThatThrownBy(() -> new PlainServerMechanism(OPTIONS).evaluate(
                "alice\u0000alice-secret".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("Invalid SASL/PLAIN response: expected 3 tokens, got 2");
    }
}
