package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Endpoint#parse}: Kafka's {@code listeners} entries. */
class NetworkEndpointTest {
    @Test
    void parsesNameHostAndPort() {
        assertThat(Endpoint.parse("PLAINTEXT://127.0.0.1:9092"))
                .isEqualTo(new Endpoint("PLAINTEXT", "127.0.0.1", 9092));
        assertThat(Endpoint.parse("CONTROLLER://broker-1.example:0"))
                .isEqualTo(new Endpoint("CONTROLLER", "broker-1.example", 0));
    }

    @Test
    void anEmptyHostMeansAllInterfaces() {
        assertThat(Endpoint.parse("PLAINTEXT://:9092")).isEqualTo(new Endpoint("PLAINTEXT", "", 9092));
    }

    @Test
    void bracketedIpv6HostsLoseTheirBracketsAndGetThemBackInText() {
        Endpoint endpoint = Endpoint.parse("INTERNAL://[::1]:9093");
        assertThat(endpoint).isEqualTo(new Endpoint("INTERNAL", "::1", 9093));
        assertThat(endpoint).hasToString("INTERNAL://[::1]:9093");
        assertThat(Endpoint.parse(endpoint.toString())).isEqualTo(endpoint);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:9092", "://127.0.0.1:9092", "PLAINTEXT://", "PLAINTEXT://host",
        "PLAINTEXT://host:", "PLAINTEXT://host:port", "PLAINTEXT://host:65536", "PLAINTEXT://host:-1", ""})
    void refusesMalformedListeners(String text) {
        assertThatThrownBy(() -> Endpoint.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
