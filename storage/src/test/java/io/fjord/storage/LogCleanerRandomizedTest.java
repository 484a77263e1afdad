package io.fjord.storage;

import static io.fjord.storage.CompactedLogFixture.commitAll;
import static io.fjord.storage.CompactedLogFixture.compactConfig;
import static io.fjord.storage.CompactedLogFixture.keys;
import static io.fjord.storage.CompactedLogFixture.latest;
import static io.fjord.storage.CompactedLogFixture.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.records.CompressionType;
import io.fjord.storage.CompactedLogFixture.KeyedRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random keyed appends, tombstones, rolls, clock moves, crashes and cleans with small offset maps, checked after every
 * clean against a model of the latest value per key. Seeds 1..{@code storage.cleaner.seeds} (default 25); a failure
 * names its seed.
 */
class LogCleanerRandomizedTest {
    private static final int SEEDS = Integer.getInteger("storage.cleaner.seeds", 25);
    private static final CompressionType[] COMPRESSIONS = {CompressionType.NONE, CompressionType.LZ4,
            CompressionType.GZIP};

    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    @Test
    void cleanedLogsMatchTheModel() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            run(seed);
        }
    }

    private void run(long seed) {
        Random random = new Random(seed);
        String context = "seed " + seed;
        ManualClock clock = new ManualClock(1_000_000_000L);
        LogConfig config = compactConfig().with(Map.of(
                LogConfig.SEGMENT_BYTES, Integer.toString(300 + random.nextInt(2500)),
                LogConfig.DELETE_RETENTION_MS, Integer.toString(random.nextInt(5000)),
                LogConfig.INDEX_INTERVAL_BYTES, Integer.toString(random.nextInt(300))));
        Path directory = root.resolve("seed-" + seed).resolve("orders-0");
        PartitionLog[] log = {CompactedLogFixture.open(directory, config, clock, background, true, 0)};
        long dedupeBytes = 24L * (6 + random.nextInt(60)); // batches hold up to 4 records
        LogCleaner cleaner = new LogCleaner(LogCleanerConfig.defaults().withDedupeBufferSizeBytes(dedupeBytes),
                () -> List.of(log[0]), clock);
        Map<String, String> model = new HashMap<>();
        int keySpace = 5 + random.nextInt(40);
        try {
            for (int step = 0; step < 250; step++) {
                int choice = random.nextInt(100);
                if (choice < 60) {
                    appendRandomBatch(random, log[0], clock, model, keySpace);
                } else if (choice < 70) {
                    log[0].roll();
                } else if (choice < 78) {
                    clock.advance(random.nextInt(3000));
                } else if (choice < 96) {
                    commitAll(log[0]);
                    if (random.nextBoolean()) {
                        cleaner.clean(log[0]);
                    } else {
                        cleaner.cleanOnce();
                    }
                    check(log[0], model, context + " after a clean at step " + step);
                } else {
                    log[0].closeAbruptly();
                    long recoveryPoint = random.nextBoolean() ? 0 : log[0].recoveryPoint();
                    log[0] = CompactedLogFixture.open(directory, config, clock, background, false, recoveryPoint);
                    check(log[0], model, context + " after a crash at step " + step);
                }
            }
            log[0].roll();
            commitAll(log[0]);
            int passes = 0;
            while (cleaner.clean(log[0]).isPresent()) {
                assertThat(++passes).as(context).isLessThan(1000);
            }
            List<KeyedRecord> records = check(log[0], model, context + " at the end");
            assertThat(keys(records)).as(context + ": keys after a full clean").doesNotHaveDuplicates();
        } finally {
            log[0].close();
        }
    }

    private static void appendRandomBatch(Random random, PartitionLog log, ManualClock clock,
                                          Map<String, String> model, int keySpace) {
        int count = 1 + random.nextInt(4);
        List<String> keyValues = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            String key = "k" + random.nextInt(keySpace);
            String value = random.nextInt(10) == 0 ? null : "v" + random.nextInt(1_000_000);
            keyValues.add(key);
            keyValues.add(value);
            model.put(key, value);
        }
        CompressionType compression = COMPRESSIONS[random.nextInt(COMPRESSIONS.length)];
        log.appendAsLeader(CompactedLogFixture.batch(clock.millis(), compression, keyValues.toArray(String[]::new)),
                0);
    }

    /** The log holds, for every key, exactly the model's latest value (a removed tombstone means no record). */
    private static List<KeyedRecord> check(PartitionLog log, Map<String, String> model, String context) {
        List<KeyedRecord> records = readAll(log);
        Map<String, String> latest = latest(records);
        assertThat(model.keySet()).as(context).containsAll(latest.keySet());
        model.forEach((key, value) -> {
            if (value == null) {
                assertThat(latest.get(key)).as(context + ": key " + key + " was deleted").isNull();
            } else {
                assertThat(latest).as(context + ": key " + key).containsEntry(key, value);
            }
        });
        return records;
    }
}
