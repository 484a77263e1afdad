package io.fjord.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loader's snapshot rules with entries handed to it directly, a manual clock and a recording writer. */
class MetadataLoaderSnapshotTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final AtomicLong clockMs = new AtomicLong(1_000_000);
    private final List<Saved> saved = new CopyOnWriteArrayList<>();
    private MetadataLoader loader;

    private record Saved(long offset, byte[] state) {
    }

    @AfterEach
    void close() {
        if (loader != null) {
            loader.close();
        }
    }

    private MetadataLoader start(MetadataSnapshotPolicy policy) {
        loader = new MetadataLoader(1, policy, clockMs::get);
        loader.snapshotWriter((offset, state) -> {
            saved.add(new Saved(offset, state));
            return CompletableFuture.completedFuture(new OffsetAndEpoch(offset, 1));
        });
        loader.start();
        return loader;
    }

    private static List<MetadataRecord> topic(String name) {
        UUID id = UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return List.of(new TopicRecord(name, id), new PartitionRecord(id, 0, List.of(1), List.of(1), 1, 0, 0));
    }

    private void commit(long offset, List<MetadataRecord> records) throws Exception {
        loader.onCommitted(new LogEntry(offset, 1, EntryType.DATA, MetadataEntries.encode(records)));
        loader.awaitPublished(offset + 1).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static MetadataImage image(String... topics) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        long offset = 0;
        for (String topic : topics) {
            for (MetadataRecord record : topic(topic)) {
                delta.replay(record, offset);
            }
            offset++;
        }
        return delta.apply();
    }

    @Test
    void pastTheBytesTheImageAtTheAppliedOffsetIsSaved() throws Exception {
        start(new MetadataSnapshotPolicy(1, 0));

        commit(0, topic("a"));

        await().atMost(BOUND).until(() -> !saved.isEmpty());
        assertThat(saved.get(0).offset()).isEqualTo(1);
        assertThat(MetadataSnapshots.decode(saved.get(0).state())).isEqualTo(loader.image());
        assertThat(loader.latestSnapshotId()).isEqualTo(new OffsetAndEpoch(1, 1));
    }

    @Test
    void pastTheIntervalWithNewEntriesASnapshotIsSavedAndNotWithout() throws Exception {
        start(new MetadataSnapshotPolicy(Long.MAX_VALUE, 1_000));
        commit(0, topic("a"));
        commit(1, topic("b"));
        assertThat(saved).isEmpty();

        clockMs.addAndGet(1_000);

        await().atMost(BOUND).until(() -> saved.size() == 1);
        assertThat(saved.get(0).offset()).isEqualTo(2);
        // No entry since: the interval passing again takes no snapshot (the idle loop checks every 100 ms).
        clockMs.addAndGet(5_000);
        await().during(Duration.ofMillis(500)).atMost(BOUND).until(() -> saved.size() == 1);
        // An entry after it: the interval has passed, so it is saved at once.
        commit(2, topic("c"));
        await().atMost(BOUND).until(() -> saved.size() == 2);
        assertThat(saved.get(1).offset()).isEqualTo(3);
    }

    @Test
    void aSnapshotLargerThanTheBoundIsSkippedAndTheLoaderGoesOn() throws Exception {
        start(new MetadataSnapshotPolicy(1, 0, 64));

        commit(0, topic("a-topic-whose-records-pass-the-bound"));
        commit(1, topic("b"));

        // The first entry's snapshot was refused before the second entry was applied.
        assertThat(saved).isEmpty();
        assertThat(loader.failure()).isNull();
        assertThat(loader.image().topicsByName()).hasSize(2);
    }

    @Test
    void aLoadedSnapshotReplacesTheImageAndIsPublishedAsAChange() throws Exception {
        start(new MetadataSnapshotPolicy(Long.MAX_VALUE, 0));
        List<MetadataImage[]> published = new CopyOnWriteArrayList<>();
        loader.attach((previous, current) -> published.add(new MetadataImage[] {previous, current}))
                .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        commit(0, topic("a"));
        commit(1, topic("b"));
        MetadataImage beforeSnapshot = loader.image();
        // The leader's snapshot at offset 10: "a" deleted and "c" created in the entries this node skipped.
        MetadataImage snapshot = image("b", "c");

        loader.onSnapshotLoaded(new OffsetAndEpoch(10, 3), MetadataSnapshots.encode(snapshot, Integer.MAX_VALUE));
        loader.awaitPublished(10).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(loader.image()).isEqualTo(snapshot);
        assertThat(loader.appliedEndOffset()).isEqualTo(10);
        assertThat(loader.latestSnapshotId()).isEqualTo(new OffsetAndEpoch(10, 3));
        MetadataImage[] last = published.get(published.size() - 1);
        assertThat(last[0]).isEqualTo(beforeSnapshot);
        assertThat(last[1]).isEqualTo(snapshot);
        // Epoch 3 began within the snapshot.
        assertThat(loader.awaitLeaderChange(3)).isCompleted();
        // The log goes on at the snapshot's end.
        commit(10, topic("d"));
        assertThat(loader.image().topicsByName()).containsOnlyKeys("b", "c", "d");
    }

    @Test
    void aSnapshotThatDoesNotDecodeStopsTheLoader() throws Exception {
        start(new MetadataSnapshotPolicy(Long.MAX_VALUE, 0));
        CompletableFuture<MetadataImage> waiter = loader.awaitApplied(5);

        loader.onSnapshotLoaded(new OffsetAndEpoch(5, 1), new byte[] {0, 0, 0, 0, 9});

        await().atMost(BOUND).until(() -> loader.failure() != null);
        assertThat(waiter).isCompletedExceptionally();
    }

    @Test
    void theTriggerCountsBytesAndTimeSinceTheLatestSnapshot() {
        SnapshotTrigger trigger = new SnapshotTrigger(new MetadataSnapshotPolicy(100, 50), 0);
        assertThat(trigger.due(1_000)).isFalse(); // nothing applied
        trigger.applied(99);
        assertThat(trigger.due(49)).isFalse();
        trigger.applied(1);
        assertThat(trigger.due(49)).isTrue();
        trigger.reset(49);
        trigger.applied(1);
        assertThat(trigger.due(98)).isFalse();
        assertThat(trigger.due(99)).isTrue();

        SnapshotTrigger untimed = new SnapshotTrigger(new MetadataSnapshotPolicy(100, 0), 0);
        untimed.applied(1);
        assertThat(untimed.due(Long.MAX_VALUE)).isFalse();
    }

    @Test
    void theSnapshotStateIsBoundedBeforeItIsBuilt() {
        MetadataImage image = image("a", "b", "c");
        int size = MetadataSnapshots.encode(image, Integer.MAX_VALUE).length;

        assertThat(MetadataSnapshots.decode(MetadataSnapshots.encode(image, size))).isEqualTo(image);
        assertThatThrownBy(() -> MetadataSnapshots.encode(image, size - 1))
                .isInstanceOf(MetadataEntries.EncodingTooLargeException.class)
                .hasMessageContaining("more than " + (size - 1) + " bytes");
    }
}
