package io.fjord.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The generated {@link Errors}: looking an error up by its code. */
class ErrorsTest {
    @Test
    void everyErrorIsFoundByItsOwnCodeAndKafkasCodesAgree() {
        for (Errors error : Errors.values()) {
            assertThat(Errors.forCode(error.code())).isSameAs(error);
            assertThat(org.apache.kafka.common.protocol.Errors.forCode(error.code()).name()).isEqualTo(error.name());
        }
        assertThat(Errors.forCode((short) 0)).isSameAs(Errors.NONE);
        assertThat(Errors.forCode((short) -1)).isSameAs(Errors.UNKNOWN_SERVER_ERROR);
    }

    @Test
    void aCodeKafkaDoesNotDefineIsAnUnknownServerError() {
        for (short code : new short[] {-2, Short.MIN_VALUE, Short.MAX_VALUE, 9999}) {
            assertThat(Errors.forCode(code)).isSameAs(Errors.UNKNOWN_SERVER_ERROR);
        }
    }
}
