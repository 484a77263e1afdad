package io.fjord.bench.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.Uuid;

/**
 * The random choices of one frame: sane values most of the time and, when the frame is hostile, Kafka's classic
 * trouble makers (negative and huge counts, ids, timeouts, offsets, odd strings) with a given probability. Every
 * choice comes from one {@link SplittableRandom}, so a frame is a pure function of its seed. Not thread-safe: one
 * instance per frame being built.
 */
final class FuzzValues {
    private static final int[] HOSTILE_INTS = {-1, -2, 0, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7ffffffe,
        1 << 20, 1 << 24, 1 << 30, 65_535, 65_536, -65_536, 1_000_000_000};
    private static final long[] HOSTILE_LONGS = {-1L, -2L, 0L, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE,
        1L << 40, 1L << 62, -(1L << 40), 4_102_444_800_000L};
    private static final short[] HOSTILE_SHORTS = {-1, -2, 0, 1, Short.MAX_VALUE, Short.MIN_VALUE, 2, 3, 127, 255};
    private static final int[] HOSTILE_COUNTS = {0, 1_000, 10_000, 100_000, 1_000_000, 100_000_000, Integer.MAX_VALUE,
        -1, -100};

    private final SplittableRandom random;
    private final double hostility;

    /**
     * @param hostility probability (0..1) that a value asked for by the {@code hostile*} methods is a hostile one
     */
    FuzzValues(SplittableRandom random, double hostility) {
        this.random = random;
        this.hostility = hostility;
    }

    SplittableRandom random() {
        return random;
    }

    boolean hostile() {
        return hostility > 0 && random.nextDouble() < hostility;
    }

    boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    int between(int fromInclusive, int toInclusive) {
        return random.nextInt(fromInclusive, toInclusive + 1);
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** A small element count (0..max); never huge: collections are built in memory. */
    int count(int max) {
        return random.nextInt(max + 1);
    }

    /** An int32 that is usually {@code sane}, sometimes hostile. */
    int int32(int sane) {
        return hostile() ? anyInt() : sane;
    }

    int anyInt() {
        return random.nextBoolean() ? HOSTILE_INTS[random.nextInt(HOSTILE_INTS.length)] : random.nextInt();
    }

    /** A count claimed in a field (partition counts, limits): usually {@code sane}, sometimes huge or negative. */
    int claimedCount(int sane) {
        return hostile() ? HOSTILE_COUNTS[random.nextInt(HOSTILE_COUNTS.length)] : sane;
    }

    long int64(long sane) {
        if (!hostile()) {
            return sane;
        }
        return random.nextBoolean() ? HOSTILE_LONGS[random.nextInt(HOSTILE_LONGS.length)] : random.nextLong();
    }

    short int16(short sane) {
        if (!hostile()) {
            return sane;
        }
        return random.nextBoolean() ? HOSTILE_SHORTS[random.nextInt(HOSTILE_SHORTS.length)]
                : (short) random.nextInt(Short.MIN_VALUE, Short.MAX_VALUE + 1);
    }

    byte int8(byte sane) {
        return hostile() ? (byte) random.nextInt(-128, 128) : sane;
    }

    /** A partition index: usually one of the few that exist, sometimes out of range. */
    int partition() {
        return hostile() ? anyInt() : random.nextInt(4);
    }

    /** A timeout: short usually (the fuzzer waits little per frame), sometimes hostile. */
    int timeoutMs() {
        return hostile() ? anyInt() : random.nextInt(0, 1_000);
    }

    /** A string: usually one from {@code sane}, sometimes empty, long, odd characters, or a bounded large one. */
    String string(List<String> sane) {
        if (!hostile()) {
            return pick(sane);
        }
        return switch (random.nextInt(7)) {
            case 0 -> "";
            case 1 -> "..";
            case 2 -> "a".repeat(random.nextInt(250, 300));
            case 3 -> "\u0000\uffff\ud83d\ude00/\\*?:" + random.nextInt(100);
            case 4 -> "x".repeat(random.nextInt(1_000, 32_000));
            case 5 -> "__consumer_offsets";
            default -> pick(sane) + random.nextInt(10);
        };
    }

    /** Like {@link #string} but null is also hostile; only for nullable fields. */
    String nullableString(List<String> sane) {
        return hostile() && random.nextBoolean() ? null : string(sane);
    }

    byte[] bytes(int saneMax) {
        int size = hostile() ? random.nextInt(0, 70_000) : random.nextInt(0, saneMax + 1);
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    Uuid uuid(List<Uuid> sane) {
        if (sane.isEmpty() || hostile()) {
            return switch (random.nextInt(3)) {
                case 0 -> Uuid.ZERO_UUID;
                case 1 -> Uuid.METADATA_TOPIC_ID;
                default -> new Uuid(random.nextLong(), random.nextLong());
            };
        }
        return pick(sane);
    }

    String text(int length) {
        byte[] bytes = new byte[length];
        for (int index = 0; index < length; index++) {
            bytes[index] = (byte) ('a' + random.nextInt(26));
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
