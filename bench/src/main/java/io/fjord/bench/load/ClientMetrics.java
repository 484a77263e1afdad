package io.fjord.bench.load;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** Reads a Kafka client's own metrics by group and name. Stateless; thread-safe. */
public final class ClientMetrics {
    private ClientMetrics() {
    }

    /**
     * The value of the client-wide metric {@code name} of {@code group} (the one tagged with the client id alone, not
     * a per-node or per-topic one), or NaN if the client has none.
     */
    public static double value(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName metricName = entry.getKey();
            if (metricName.group().equals(group) && metricName.name().equals(name)
                    && metricName.tags().keySet().stream().allMatch("client-id"::equals)) {
                Object value = entry.getValue().metricValue();
                return value instanceof Number number ? number.doubleValue() : Double.NaN;
            }
        }
        return Double.NaN;
    }
}
