package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class Base64UuidsTest {
    @Test
    void encodesAsKafkaDoes() {
        // Kafka's METADATA_TOPIC_ID (0, 1) prints as AAAAAAAAAAAAAAAAAAAAAQ.
        assertThat(Base64Uuids.encode(new UUID(0, 1))).isEqualTo("AAAAAAAAAAAAAAAAAAAAAQ");
        UUID id = UUID.fromString("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
        assertThat(Base64Uuids.encode(id)).isEqualTo("ChssPU5fSmuMfZ4PGis8TQ");
        assertThat(Base64Uuids.decode(Base64Uuids.encode(id))).isEqualTo(id);
        assertThat(Base64Uuids.decode(Base64Uuids.encode(id) + "==")).as("padding, as Kafka accepts").isEqualTo(id);
    }

    @Test
    void refusesTextThatIsNotSixteenBytesOfUrlSafeBase64WithKafkasReasons() {
        assertThatThrownBy(() -> Base64Uuids.decode("invalid")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Input string `invalid` decoded as 5 bytes, which is not equal to the expected 16 bytes"
                        + " of a base64-encoded UUID");
        assertThatThrownBy(() -> Base64Uuids.decode("A".repeat(30))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is too long to be decoded as a base64 UUID");
        assertThatThrownBy(() -> Base64Uuids.decode("AAAAAAAAAAAAAAAAAAAA+Q")).as("'+' is not URL-safe")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomIdsSkipKafkasReservedIdsAndAnyWithADash() {
        UUID withDash = Base64Uuids.decode("-AAAAAAAAAAAAAAAAAAAAA");
        UUID withDashInside = Base64Uuids.decode("AAAAAAAAAA-AAAAAAAAAAA");
        UUID good = UUID.fromString("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
        ArrayDeque<UUID> draws = new ArrayDeque<>(List.of(new UUID(0, 0), new UUID(0, 1), withDash, withDashInside,
                good));
        assertThat(Base64Uuids.random(draws::removeFirst)).isEqualTo(good);
        assertThat(draws).isEmpty();
    }

    @Test
    void randomIdsFromTheSystemSourceNeverHoldADash() {
        for (int index = 0; index < 1000; index++) {
            assertThat(Base64Uuids.encode(Base64Uuids.random(UUID::randomUUID))).hasSize(22).doesNotContain("-");
        }
    }
}
