package io.fjord.broker.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetsPartitionsTest {
    @Test
    void followsKafkasHashRule() {
        // "group".hashCode() = 98629247; 98629247 % 50 = 47.
        assertThat(OffsetsPartitions.partitionFor("group", 50)).isEqualTo(47);
        // A negative hash is made positive first: "polygenelubricants".hashCode() == Integer.MIN_VALUE -> 0.
        assertThat("polygenelubricants".hashCode()).isEqualTo(Integer.MIN_VALUE);
        assertThat(OffsetsPartitions.partitionFor("polygenelubricants", 50)).isZero();
        // "my-group".hashCode() = -1906497762 -> 1906497762 % 50 = 12.
        assertThat(OffsetsPartitions.partitionFor("my-group", 50)).isEqualTo(12);
        assertThat(OffsetsPartitions.partitionFor("", 50)).isZero();
    }
}
