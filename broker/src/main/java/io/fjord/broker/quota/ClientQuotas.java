package io.fjord.broker.quota;

import io.fjord.broker.MetadataPublisher;
import io.fjord.broker.network.IpConnectionRateQuotas;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.metadata.quota.ClientQuotaKeys;
import io.fjord.metadata.quota.IpLiterals;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * This broker's client quotas: the managers of the produce and fetch byte rates and of the request percentage (Kafka's
 * quota managers), kept in step with the quotas of the metadata image, and the ip entities' connection creation rates
 * for the socket server's connection limits ({@link IpConnectionRateQuotas}: an address's own entity, else the
 * default ip entity). A quota change applies from the next request after the image that holds it is
 * published.
 *
 * <p>Thread-safety: {@link #publish} runs on the metadata publishing thread; the managers are thread-safe and the ip
 * quotas are read from an immutable map published through a volatile field.
 */
public final class ClientQuotas implements MetadataPublisher, IpConnectionRateQuotas {
    /** Nanoseconds of thread time per second that make one percent (Kafka's request quota unit). */
    static final double NANOS_PER_PERCENT = 1_000_000_000.0 / 100;

    private final ClientQuotaManager produce;
    private final ClientQuotaManager fetch;
    private final ClientQuotaManager request;
    private final ControllerMutationQuotaManager controllerMutation = new ControllerMutationQuotaManager();
    private volatile Map<ClientQuotaEntity, Map<String, Double>> quotas = Map.of();
    /** The connection creation rates of named ip entities, by address; read on accepting threads. */
    private volatile Map<InetAddress, Integer> ipRates = Map.of();
    private volatile int defaultIpRate = UNLIMITED;

    /**
     * @param windowCount  {@code quota.window.num} (Kafka: 11)
     * @param windowSizeMs {@code quota.window.size.seconds} in milliseconds (Kafka: 1000); also the longest request
     *                     throttle, as Kafka bounds it
     */
    public ClientQuotas(int windowCount, long windowSizeMs) {
        this.produce = new ClientQuotaManager(ClientQuotaKeys.PRODUCER_BYTE_RATE, windowCount, windowSizeMs, 1,
                Long.MAX_VALUE);
        this.fetch = new ClientQuotaManager(ClientQuotaKeys.CONSUMER_BYTE_RATE, windowCount, windowSizeMs, 1,
                Long.MAX_VALUE);
        this.request = new ClientQuotaManager(ClientQuotaKeys.REQUEST_PERCENTAGE, windowCount, windowSizeMs,
                NANOS_PER_PERCENT, windowSizeMs);
    }

    public ClientQuotaManager produce() {
        return produce;
    }

    public ClientQuotaManager fetch() {
        return fetch;
    }

    public ClientQuotaManager request() {
        return request;
    }

    public ControllerMutationQuotaManager controllerMutation() {
        return controllerMutation;
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current) {
        // The image's quota map is persistent: an image without quota records shares the previous one's object.
        if (current.clientQuotas() != quotas) {
            update(current.clientQuotas());
        }
    }

    /** Hands new quota values to every manager. */
    public void update(Map<ClientQuotaEntity, Map<String, Double>> values) {
        quotas = values;
        Map<InetAddress, Integer> rates = new HashMap<>();
        int defaultRate = UNLIMITED;
        for (Map.Entry<ClientQuotaEntity, Map<String, Double>> entry : values.entrySet()) {
            Map<String, String> entity = entry.getKey().entries();
            Double rate = entry.getValue().get(ClientQuotaKeys.CONNECTION_CREATION_RATE);
            if (rate == null || !entity.containsKey(ClientQuotaEntity.IP)) {
                continue;
            }
            int perSecond = (int) Math.min(UNLIMITED, Math.round(rate));
            String name = entity.get(ClientQuotaEntity.IP);
            if (name == null) {
                defaultRate = perSecond;
            } else {
                // The controller accepts literals only, so this never resolves a host name.
                IpLiterals.parse(name).ifPresent(address -> rates.put(address, perSecond));
            }
        }
        ipRates = Map.copyOf(rates);
        defaultIpRate = defaultRate;
        produce.update(values);
        fetch.update(values);
        request.update(values);
        controllerMutation.update(values);
    }

    @Override
    public int connectionCreationRate(InetAddress address) {
        Integer rate = ipRates.get(address);
        return rate != null ? rate : defaultIpRate;
    }
}
