package io.fjord.bench.fuzz;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * What frames may depend on besides (seed, frame index): the version ranges both the node and kafka-clients 4.4.0
 * know, and the ids of the topics the run creates before fuzzing. A replay against a fresh node of the same build
 * sees the same ranges and the same topic names (the ids differ, but fill the same slots). Immutable, thread-safe.
 *
 * @param versions        per API: {oldest, newest} version both sides know
 * @param topicIds        the pre-created topics' ids, in the order of {@link #FUZZ_TOPICS}
 * @param nodeId          the node's id
 */
record FuzzContext(Map<ApiKeys, short[]> versions, List<Uuid> topicIds, int nodeId) {
    /** Topics created before fuzzing (plain, compacted, gzip, zstd): produce, fetch and groups use them. */
    static final List<String> FUZZ_TOPICS = List.of("fuzz-plain", "fuzz-compact", "fuzz-gzip", "fuzz-zstd");
    /** Names CreateTopics and DeleteTopics play with (besides the ones above and hostile strings). */
    static final List<String> SCRATCH_TOPICS = List.of("scratch-0", "scratch-1", "scratch-2", "scratch-3",
            "scratch-4", "scratch-5");
    /** The health check's topic: no frame names it on purpose. */
    static final String CONTROL_TOPIC = "fjord-fuzz-control";
    static final List<String> GROUPS = List.of("fuzz-group-0", "fuzz-group-1", "fuzz-group-2", "fuzz-consumer-0",
            "fuzz-consumer-1");

    FuzzContext {
        Map<ApiKeys, short[]> copy = new TreeMap<>();
        versions.forEach((api, range) -> copy.put(api, range.clone()));
        versions = Collections.unmodifiableMap(copy);
        topicIds = List.copyOf(topicIds);
    }

    /** The APIs frames use: those both sides know, in a fixed order. */
    List<ApiKeys> apis() {
        return new ArrayList<>(versions.keySet());
    }

    /** Topic names frames use: the pre-created ones mostly, scratch ones sometimes. */
    static List<String> topicNames() {
        List<String> names = new ArrayList<>(FUZZ_TOPICS);
        names.addAll(SCRATCH_TOPICS.subList(0, 2));
        return names;
    }
}
