package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.storage.EpochEndOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Kafka's truncation rule, branch by branch. */
class FollowerTruncationTest {
    @Test
    void theSmallerEndOfAnEpochBothKnow() {
        assertThat(FollowerTruncation.truncationOffset(4, 10, Optional.of(new EpochEndOffset(4, 12)), 15))
                .isEqualTo(10);
        assertThat(FollowerTruncation.truncationOffset(4, 10, Optional.of(new EpochEndOffset(4, 8)), 15))
                .isEqualTo(8);
    }

    @Test
    void anEpochUnknownHereTruncatesToTheEndOfTheOlderEpochOnlyAndAsksAgain() {
        // The leader's epoch 1 ends at 3; here the largest epoch at most 1 is 0, ending at 5: truncate to 5 and
        // let the next fetch (last fetched epoch 0) find the rest, not to the leader's 3 (Kafka's intermediate step).
        assertThat(FollowerTruncation.truncationOffset(1, 3, Optional.of(new EpochEndOffset(0, 5)), 6))
                .isEqualTo(5);
    }

    @Test
    void noEpochAtOrBelowTheLeadersTruncatesToTheLeadersEnd() {
        assertThat(FollowerTruncation.truncationOffset(2, 7, Optional.empty(), 9)).isEqualTo(7);
    }

    @Test
    void anUnknownEndTruncatesNothingAndNothingGoesBeyondTheLogEnd() {
        assertThat(FollowerTruncation.truncationOffset(2, -1, Optional.of(new EpochEndOffset(2, 4)), 9))
                .isEqualTo(9);
        assertThat(FollowerTruncation.truncationOffset(2, 20, Optional.of(new EpochEndOffset(2, 25)), 9))
                .isEqualTo(9);
    }
}
