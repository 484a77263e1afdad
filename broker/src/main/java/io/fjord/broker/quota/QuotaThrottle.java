package io.fjord.broker.quota;

/**
 * Kafka's throttle time for a rate above its bound ({@code QuotaUtils.throttleTime}): the time that, added to the
 * window the rate was measured over, brings the rate back to the bound, {@code (rate - bound) / bound * window}.
 * Stateless.
 */
public final class QuotaThrottle {
    private QuotaThrottle() {
    }

    /** The throttle in milliseconds, 0 while {@code rate} is within {@code bound}. */
    public static long throttleTimeMs(double rate, double bound, long windowSizeMs) {
        if (rate <= bound) {
            return 0;
        }
        return Math.round((rate - bound) / bound * windowSizeMs);
    }
}
