package io.fjord.broker.network.tls;

import io.fjord.broker.MetadataPublisher;
import io.fjord.broker.config.BrokerConfigs;
import io.fjord.broker.config.ConfigException;
import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads an SSL listener's stores when this broker's dynamic configs change them, Kafka's way
 * ({@code kafka-configs --alter --entity-type brokers --entity-name N --add-config
 * listener.name.<listener>.ssl.keystore.location=...}): the listener-prefixed {@code ssl.*} keys of the per-broker
 * dynamic configs over {@code server.properties}; altering a key to its current value reloads a store file replaced
 * in place. New connections (accepted, and made by this node) use the new
 * stores; open ones keep theirs. Stores that cannot be used, or a certificate naming another identity, are refused
 * before the change is committed ({@link #refusal}, asked by the broker that receives the AlterConfigs, as Kafka's
 * broker validates a reconfiguration of its own listeners); should a committed change still fail (a file changed
 * in between), it is logged and the listener keeps what it has.
 *
 * <p>Thread-safety: {@link #publish} runs on the metadata publishing thread only; {@link #refusal} may run on any
 * thread (it reads only immutable settings and the listeners' current engines).
 */
public final class SslKeystoreReloader implements MetadataPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(SslKeystoreReloader.class);

    private final Map<String, String> staticSettings;
    private final String brokerId;
    private final Map<String, TlsChannelSecurity> listeners;
    private boolean published;

    /**
     * @param staticSettings {@code server.properties} as written
     * @param listeners      the node's SSL listeners by name
     */
    public SslKeystoreReloader(Map<String, String> staticSettings, int brokerId,
                               Map<String, TlsChannelSecurity> listeners) {
        this.staticSettings = Map.copyOf(staticSettings);
        this.brokerId = Integer.toString(brokerId);
        this.listeners = Map.copyOf(listeners);
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current) {
        publish(previous, current, MetadataChanges.between(previous, current));
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        if (published && !changes.changedBrokerConfigs().contains(brokerId)) {
            return;
        }
        published = true;
        Map<String, String> dynamic = current.brokerConfig(brokerId);
        listeners.forEach((name, security) -> reloadIfChanged(name, security, dynamic));
    }

    /**
     * Why this broker's dynamic configs {@code proposed} (all of them, as they would be after an alteration) cannot
     * be taken: a listener's new stores that cannot be loaded, or whose certificate names another identity. Empty
     * when every listener could take them (or they change no store).
     */
    public Optional<String> refusal(Map<String, String> proposed) {
        for (Map.Entry<String, TlsChannelSecurity> listener : listeners.entrySet()) {
            TlsChannelSecurity security = listener.getValue();
            try {
                SslSettings settings = settings(listener.getKey(), proposed);
                if (changes(settings, security)) {
                    security.checkReload(settings);
                }
            } catch (ConfigException e) {
                return Optional.of("Validation of dynamic config update of SSLFactory failed: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The listener's SSL settings: its prefixed dynamic configs over {@code server.properties}. */
    private SslSettings settings(String listenerName, Map<String, String> dynamic) {
        String prefix = BrokerConfigs.LISTENER_PREFIX + listenerName.toLowerCase(Locale.ROOT) + ".ssl.";
        Map<String, String> merged = new HashMap<>(staticSettings);
        dynamic.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                merged.put(key, value);
            }
        });
        return SslSettings.of(merged, listenerName);
    }

    private static boolean changes(SslSettings settings, TlsChannelSecurity security) {
        return !settings.sameValuesAs(security.engines().settings()) || security.engines().storeFilesChanged();
    }

    private void reloadIfChanged(String listenerName, TlsChannelSecurity security, Map<String, String> dynamic) {
        SslSettings settings;
        try {
            settings = settings(listenerName, dynamic);
        } catch (ConfigException e) {
            LOG.error("Keeping the TLS stores of listener {}: {}", listenerName, e.getMessage());
            return;
        }
        if (!changes(settings, security)) {
            return;
        }
        try {
            security.reload(settings);
            LOG.info("Reloaded the TLS stores of listener {} (keystore {}, presenting {})", listenerName,
                    settings.value("ssl.keystore.location"), security.engines().identityName());
        } catch (ConfigException e) {
            LOG.error("Keeping the TLS stores of listener {}: {}", listenerName, e.getMessage());
        }
    }
}
