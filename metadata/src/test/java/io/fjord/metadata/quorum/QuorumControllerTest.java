package io.fjord.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.MetadataBatchTooLargeException;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.NotControllerException;
import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller over a real Raft quorum of one in a temporary directory. */
class QuorumControllerTest {
    /** Liveness bound for one operation on a busy machine. */
    private static final long BOUND_MS = 60_000;

    @TempDir
    Path directory;
    private MetadataQuorum quorum;

    @AfterEach
    void close() throws Exception {
        if (quorum != null) {
            quorum.close();
        }
    }

    private MetadataQuorum start() throws Exception {
        quorum = MetadataQuorum.standalone(1, directory, BOUND_MS);
        quorum.start();
        quorum.awaitCaughtUp(BOUND_MS);
        return quorum;
    }

    private static List<MetadataRecord> topic(String name, UUID id) {
        return List.of(new TopicRecord(name, id), new PartitionRecord(id, 0, List.of(1), List.of(1), 1, 0, 0));
    }

    private <T> T submit(java.util.function.Function<MetadataImage, ControllerResult<T>> operation) throws Exception {
        return quorum.controller().submit(operation).get(BOUND_MS, TimeUnit.MILLISECONDS);
    }

    @Test
    void responseCompletesOnlyOnceTheRecordsAreCommittedAndApplied() throws Exception {
        start();
        AtomicReference<MetadataImage> published = new AtomicReference<>();
        quorum.loader().attach((previous, current) -> published.set(current)).get(BOUND_MS, TimeUnit.MILLISECONDS);

        String answer = submit(image -> new ControllerResult<>(topic("orders", new UUID(1, 1)), "created"));

        assertThat(answer).isEqualTo("created");
        // Applied and published before the response: a request after it sees the topic.
        assertThat(quorum.loader().image().topic("orders")).isPresent();
        assertThat(published.get().topic("orders")).isPresent();
        // The next operation decides from an image holding the previous one.
        boolean sawOrders = submit(image -> new ControllerResult<>(List.of(), image.topic("orders").isPresent()));
        assertThat(sawOrders).isTrue();
    }

    /**
     * A slow publisher on the controller's node (a broker creating a thousand logs) holds up neither the quorum nor the
     * controller: while the publisher is stuck on the first entry, later operations are decided from the applied
     * image holding it and commit; responses still wait for this node's publication, in order of entries.
     */
    @Test
    void aBlockedPublisherDelaysNeitherTheControllerNorTheQuorum() throws Exception {
        start();
        java.util.concurrent.CountDownLatch publisherBlocked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch releasePublisher = new java.util.concurrent.CountDownLatch(1);
        List<MetadataImage> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        quorum.loader().attach((previous, current) -> {
            if (current.topic("first").isPresent() && publisherBlocked.getCount() > 0) {
                publisherBlocked.countDown();
                try {
                    releasePublisher.await(BOUND_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            published.add(current);
        }).get(BOUND_MS, TimeUnit.MILLISECONDS);

        java.util.concurrent.CompletableFuture<String> first = quorum.controller().submit(
                image -> new ControllerResult<>(topic("first", new UUID(1, 1)), "first"));
        assertThat(publisherBlocked.await(BOUND_MS, TimeUnit.MILLISECONDS)).isTrue();
        // Decided while the publisher is stuck: from an image holding the first topic, and committed.
        java.util.concurrent.CompletableFuture<Boolean> second = quorum.controller().submit(image ->
                new ControllerResult<>(topic("second", new UUID(1, 2)), image.topic("first").isPresent()));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMillis(BOUND_MS))
                .until(() -> quorum.loader().image().topic("second").isPresent());
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        releasePublisher.countDown();
        assertThat(first.get(BOUND_MS, TimeUnit.MILLISECONDS)).isEqualTo("first");
        assertThat(second.get(BOUND_MS, TimeUnit.MILLISECONDS)).isTrue();
        // Published once the publisher is free, the queued images as one change.
        assertThat(published.get(published.size() - 1).topic("second")).isPresent();
    }

    @Test
    void committedMetadataSurvivesARestartAndOperationsKeepTheirOrder() throws Exception {
        start();
        submit(image -> new ControllerResult<>(topic("a", new UUID(1, 1)), null));
        submit(image -> new ControllerResult<>(topic("b", new UUID(1, 2)), null));
        submit(image -> new ControllerResult<>(List.of(new ConfigRecord(ConfigRecord.TOPIC, "a", "retention.ms",
                "1000")), null));
        quorum.close();

        start();
        MetadataImage image = quorum.loader().image();
        assertThat(image.topicsByName()).containsOnlyKeys("a", "b");
        assertThat(image.topicConfig("a")).containsEntry("retention.ms", "1000");
        // And it keeps deciding from there.
        submit(current -> new ControllerResult<>(topic("c", new UUID(1, 3)), null));
        assertThat(quorum.loader().image().topicsByName()).containsOnlyKeys("a", "b", "c");
    }

    @Test
    void anOperationLargerThanOneEntryIsRefusedAndCommitsNothing() throws Exception {
        start();
        long before = quorum.loader().appliedEndOffset();
        String value = "x".repeat(16 * 1024);
        List<MetadataRecord> records = new ArrayList<>();
        for (int index = 0; index < OperationLimits.RECORD_BYTES_PER_OPERATION_MAX / value.length() + 8; index++) {
            records.add(new ConfigRecord(ConfigRecord.BROKER, "", "key-" + index, value));
        }

        assertThatThrownBy(() -> submit(image -> new ControllerResult<>(records, null)))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(MetadataBatchTooLargeException.class)
                .hasMessageContaining("exceeds the maximum allowed batch size of 8388608");
        assertThat(quorum.loader().appliedEndOffset()).isEqualTo(before);
        assertThat(quorum.loader().image().brokerConfig("")).isEmpty();

        // Just under the bound commits (more than the Raft default of 1 MiB per entry).
        List<MetadataRecord> fits = records.subList(0, records.size() - 16);
        submit(image -> new ControllerResult<>(fits, null));
        assertThat(quorum.loader().image().brokerConfig("")).hasSize(fits.size());
    }

    @Test
    void aFailingOperationCommitsNothingAndTheNextOneRuns() throws Exception {
        start();
        assertThatThrownBy(() -> submit(image -> {
            throw new IllegalStateException("bug");
        })).hasCauseInstanceOf(IllegalStateException.class);
        submit(image -> new ControllerResult<>(topic("after", new UUID(1, 9)), null));
        assertThat(quorum.loader().image().topicsByName()).containsOnlyKeys("after");
    }

    @Test
    void aNodeThatDoesNotLeadRefusesWithNotController() throws Exception {
        // Voters 1 and 2, and node 2 never runs: node 1 cannot be elected.
        quorum = new MetadataQuorum(1, Set.of(1, 2), directory, message -> {
        }, BOUND_MS);
        quorum.start();

        assertThatThrownBy(() -> submit(image -> new ControllerResult<>(topic("x", new UUID(2, 2)), null)))
                .hasCauseInstanceOf(NotControllerException.class).hasMessageContaining("not the active controller");
        assertThat(quorum.controller().isActive()).isFalse();
    }
}
