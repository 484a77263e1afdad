package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.storage.EpochEndOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Kafka's LeaderEpochFileCache rules, case by case. */
class LeaderEpochCacheTest {
    private static final long LOG_END = 100;

    /** "epoch@start epoch@start ..." to a cache, assigned in order. */
    private static LeaderEpochCache cache(String entries) {
        return LeaderEpochCache.of(parse(entries));
    }

    private static List<EpochEntry> parse(String entries) {
        List<EpochEntry> parsed = new ArrayList<>();
        for (String entry : entries.trim().split("\\s+")) {
            if (!entry.isEmpty()) {
                String[] parts = entry.split("@");
                parsed.add(new EpochEntry(Integer.parseInt(parts[0]), Long.parseLong(parts[1])));
            }
        }
        return parsed;
    }

    static Stream<Arguments> assignments() {
        return Stream.of(
                // before, assigned epoch, assigned start, after
                Arguments.of("", 0, 0L, "0@0"),
                Arguments.of("0@0", 1, 5L, "0@0 1@5"),
                Arguments.of("0@0 1@5", 1, 7L, "0@0 1@5"),           // same epoch, later offset: nothing new
                Arguments.of("0@0 1@5", 1, 5L, "0@0 1@5"),           // repeat
                Arguments.of("0@0 1@5", 1, 3L, "0@0 1@3"),           // same epoch, earlier start: replaced
                Arguments.of("0@0 1@5", 3, 5L, "0@0 3@5"),           // epoch 1 wrote nothing before epoch 3
                Arguments.of("0@0 1@5 2@9", 1, 12L, "0@0 1@12"),     // a smaller epoch drops larger ones (Kafka)
                Arguments.of("0@0 1@5 2@9", 4, 7L, "0@0 1@5 4@7"),   // an earlier start drops later entries
                Arguments.of("2@10", 1, 20L, "1@20"),
                Arguments.of("0@0 5@10", 7, 10L, "0@0 7@10"));
    }

    @ParameterizedTest(name = "[{0}] assign {1}@{2} -> [{3}]")
    @MethodSource("assignments")
    void assignKeepsEntriesStrictlyIncreasingAsKafkaDoes(String before, int epoch, long start, String after) {
        LeaderEpochCache original = cache(before);
        LeaderEpochCache assigned = original.assign(epoch, start);
        assertThat(assigned.entries()).isEqualTo(parse(after));
        assertThat(assigned == original).as("unchanged cache returned as is").isEqualTo(before.equals(after));
    }

    @Test
    void negativeEpochsAndOffsetsAreRefused() {
        assertThatThrownBy(() -> LeaderEpochCache.empty().assign(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LeaderEpochCache.empty().assign(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> endTruncations() {
        return Stream.of(
                Arguments.of("0@0 1@5 2@9", 12L, "0@0 1@5 2@9"),
                Arguments.of("0@0 1@5 2@9", 9L, "0@0 1@5"),
                Arguments.of("0@0 1@5 2@9", 6L, "0@0 1@5"),
                Arguments.of("0@0 1@5 2@9", 5L, "0@0"),
                Arguments.of("0@0 1@5 2@9", 0L, ""),
                Arguments.of("", 3L, ""));
    }

    @ParameterizedTest(name = "[{0}] truncateFromEnd({1}) -> [{2}]")
    @MethodSource("endTruncations")
    void truncateFromEndDropsEntriesStartingAtOrAfterTheNewEnd(String before, long end, String after) {
        assertThat(cache(before).truncateFromEnd(end).entries()).isEqualTo(parse(after));
    }

    static Stream<Arguments> startTruncations() {
        return Stream.of(
                Arguments.of("0@0 1@5 2@9", 0L, "0@0 1@5 2@9"),
                Arguments.of("0@3 1@5 2@9", 1L, "0@3 1@5 2@9"),     // the log starts before every entry
                Arguments.of("0@0 1@5 2@9", 3L, "0@3 1@5 2@9"),
                Arguments.of("0@0 1@5 2@9", 5L, "1@5 2@9"),
                Arguments.of("0@0 1@5 2@9", 7L, "1@7 2@9"),
                Arguments.of("0@0 1@5 2@9", 20L, "2@20"),
                Arguments.of("", 20L, ""));
    }

    @ParameterizedTest(name = "[{0}] truncateFromStart({1}) -> [{2}]")
    @MethodSource("startTruncations")
    void truncateFromStartMovesTheEarliestSurvivingEpochUpToTheLogStart(String before, long start, String after) {
        assertThat(cache(before).truncateFromStart(start).entries()).isEqualTo(parse(after));
    }

    static Stream<Arguments> endOffsets() {
        return Stream.of(
                // cache, requested epoch, expected "epoch:endOffset" or "none"
                Arguments.of("", 0, "none"),
                Arguments.of("1@0 3@10 6@20", 6, "6:" + LOG_END),   // the latest epoch ends at the log end
                Arguments.of("1@0 3@10 6@20", 7, "none"),            // above every known epoch
                Arguments.of("1@0 3@10 6@20", -1, "none"),           // undefined epoch
                Arguments.of("1@0 3@10 6@20", 0, "0:0"),             // below the earliest: its start offset
                Arguments.of("2@4 3@10", 1, "1:4"),
                Arguments.of("1@0 3@10 6@20", 1, "1:10"),
                Arguments.of("1@0 3@10 6@20", 2, "1:10"),            // unknown epoch: the largest below it
                Arguments.of("1@0 3@10 6@20", 3, "3:20"),
                Arguments.of("1@0 3@10 6@20", 5, "3:20"));
    }

    @ParameterizedTest(name = "[{0}] endOffsetFor({1}) = {2}")
    @MethodSource("endOffsets")
    void endOffsetForFollowsKafka(String entries, int requested, String expected) {
        Optional<EpochEndOffset> result = cache(entries).endOffsetFor(requested, LOG_END);
        assertThat(result.map(found -> found.epoch() + ":" + found.endOffset()).orElse("none")).isEqualTo(expected);
    }

    @Test
    void latestEpochAndEquality() {
        assertThat(LeaderEpochCache.empty().latestEpoch()).isEmpty();
        assertThat(cache("1@0 4@7").latestEpoch()).hasValue(4);
        assertThat(cache("1@0 4@7")).isEqualTo(cache("1@0 4@7")).hasSameHashCodeAs(cache("1@0 4@7"));
        assertThat(cache("1@0 4@7")).isNotEqualTo(cache("1@0 4@8"));
    }
}
