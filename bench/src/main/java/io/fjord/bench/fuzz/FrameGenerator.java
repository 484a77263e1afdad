package io.fjord.bench.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Makes frame number {@code index} of a run as a pure function of (seed, index, context): its own
 * {@link SplittableRandom} seeded from both, so any frame can be rebuilt alone for a replay, and nothing is kept
 * between frames but the decompression bombs' payloads. Mix: 35% clean requests, 35% hostile field values, 22%
 * byte-level mutations of either, 8% special shapes. Not thread-safe: one generator per sending thread.
 */
final class FrameGenerator {
    private final long seed;
    private final FuzzContext context;
    private final RequestCatalog catalog;
    private final SpecialShapes shapes;
    private final List<ApiKeys> weightedApis;

    FrameGenerator(long seed, FuzzContext context, DecompressionBombs bombs) {
        this.seed = seed;
        this.context = context;
        this.catalog = new RequestCatalog(context, bombs);
        this.shapes = new SpecialShapes(context, catalog, bombs);
        this.weightedApis = new ArrayList<>();
        for (ApiKeys api : context.apis()) {
            // APIs without a builder (sent with their schema's defaults) count once, like most others.
            int weight = switch (api) {
                case PRODUCE -> 4;
                case FETCH, METADATA -> 2;
                default -> 1;
            };
            for (int copy = 0; copy < weight; copy++) {
                weightedApis.add(api);
            }
        }
        if (weightedApis.isEmpty()) {
            throw new IllegalArgumentException("no API both sides know");
        }
    }

    /** The random source of frame {@code index}: independent of every other frame's. */
    static SplittableRandom randomOf(long seed, long index) {
        return new SplittableRandom(mix(seed) ^ mix(index + 0x632BE59BD9B4E019L));
    }

    private static long mix(long value) {
        long mixed = (value ^ (value >>> 33)) * 0xff51afd7ed558ccdL;
        mixed = (mixed ^ (mixed >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return mixed ^ (mixed >>> 33);
    }

    Frame frame(long index) {
        SplittableRandom random = randomOf(seed, index);
        int correlationId = (int) index;
        int roll = random.nextInt(100);
        if (roll >= 92) {
            return shapes.frame(index, correlationId, new FuzzValues(random, 0.3));
        }
        boolean hostile = roll >= 35 && roll < 70 || roll >= 70 && random.nextBoolean();
        FuzzValues values = new FuzzValues(random, hostile ? 0.25 : 0.0);
        ApiKeys api = weightedApis.get(random.nextInt(weightedApis.size()));
        short[] range = context.versions().get(api);
        short version = (short) random.nextInt(range[0], range[1] + 1);
        String clientId = hostile && values.hostile() ? values.nullableString(List.of("fjord-fuzz")) : "fjord-fuzz";
        ApiMessage body;
        String name = api.name;
        byte[] bytes;
        try {
            body = catalog.build(api, version, values);
            bytes = RequestFrames.frame(api, version, correlationId, clientId, body);
        } catch (RuntimeException e) {
            // A builder set a field this version cannot carry: send the schema's defaults instead (a unit test
            // keeps this rare).
            body = ApiMessageType.fromApiKey(api.id).newRequest();
            bytes = RequestFrames.frame(api, version, correlationId, "fjord-fuzz", body);
            name = api.name + "/defaults";
        }
        boolean expectsResponse = !(body instanceof ProduceRequestData produce && produce.acks() == 0);
        Frame.Kind kind = hostile ? Frame.Kind.FIELDS : Frame.Kind.CLEAN;
        if (roll >= 70) {
            bytes = ByteMutator.mutate(bytes, values);
            kind = Frame.Kind.BYTES;
        }
        return new Frame(index, kind, name, version, correlationId, expectsResponse, bytes);
    }
}
