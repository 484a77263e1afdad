package io.fjord.protocol.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The broker maps rejections to wire errors by name, so every kind must be one of Kafka's error names. */
class RecordBatchExceptionKindsTest {
    @Test
    void everyKindIsAKafkaErrorName() {
        for (RecordBatchException.Kind kind : RecordBatchException.Kind.values()) {
            assertThat(Arrays.stream(Errors.values()).map(Enum::name)).as("kind %s", kind).contains(kind.name());
        }
        assertThat(Errors.valueOf(RecordBatchException.Kind.MESSAGE_TOO_LARGE.name()).code()).isEqualTo((short) 10);
    }
}
