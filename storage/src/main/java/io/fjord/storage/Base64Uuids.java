package io.fjord.storage;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Kafka's text form of a UUID (cluster, directory and topic ids): the 16 bytes as 22 characters of URL-safe base64
 * without padding, e.g. {@code MkU3OEVBNTcwNTJENDM2Qg}. Stateless; thread-safe.
 */
public final class Base64Uuids {
    /** Kafka's reserved ids, never handed out: the zero UUID ("unknown") and one (the metadata topic's id). */
    private static final UUID ZERO = new UUID(0, 0);
    private static final UUID ONE = new UUID(0, 1);
    private static final int UUID_BYTES = 16;
    /** Kafka's bound: longer text cannot be a base64 UUID (22 characters, 24 with padding). */
    private static final int MAX_TEXT_LENGTH = 24;

    private Base64Uuids() {
    }

    public static String encode(UUID uuid) {
        ByteBuffer bytes = ByteBuffer.allocate(UUID_BYTES).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /**
     * Parses Kafka's text form, as Kafka's {@code Uuid.fromString} does.
     *
     * @throws IllegalArgumentException with Kafka's reason when the text is not 16 bytes of URL-safe base64
     */
    public static UUID decode(String text) {
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("Input string with prefix `" + text.substring(0, MAX_TEXT_LENGTH)
                    + "` is too long to be decoded as a base64 UUID");
        }
        byte[] bytes = Base64.getUrlDecoder().decode(text);
        if (bytes.length != UUID_BYTES) {
            throw new IllegalArgumentException("Input string `" + text + "` decoded as " + bytes.length
                    + " bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong());
    }

    /**
     * A new id as Kafka's {@code Uuid.randomUuid} makes one: drawn from {@code randomUuids} again while it is
     * reserved or its text holds a '-' (Kafka 4.4 redraws those, so that no id looks like a command-line option).
     */
    public static UUID random(Supplier<UUID> randomUuids) {
        UUID candidate = randomUuids.get();
        while (candidate.equals(ZERO) || candidate.equals(ONE) || encode(candidate).indexOf('-') >= 0) {
            candidate = randomUuids.get();
        }
        return candidate;
    }
}
