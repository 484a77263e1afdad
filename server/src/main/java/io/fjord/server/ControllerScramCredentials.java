package io.fjord.server;

import io.fjord.broker.security.sasl.ScramCredentialLookup;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.quorum.MetadataQuorum;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.UserScramCredentialRecord;
import io.fjord.metadata.scram.ScramCredential;
import io.fjord.metadata.scram.ScramMechanism;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The SCRAM credentials a controller checks logins to its controller listener against (KIP-900): the metadata
 * image the node has applied, as it is at that moment; while that image is not yet bootstrapped (no feature level and
 * no credential committed: a brand-new cluster whose first active controller has not written its bootstrap records,
 * or a controller that has read nothing of the log yet), the credentials {@code fjord format --add-scram} left in
 * the metadata directory, so that the controllers can log in to each other before the quorum has a leader. Once the
 * image is bootstrapped only the image counts, so a credential altered or deleted later is not revived by the
 * bootstrap file.
 *
 * <p>Thread-safe: the bootstrap credentials are immutable and the image is read through the quorum's loader
 * (volatile); called on the transport's event loops.
 */
final class ControllerScramCredentials implements ScramCredentialLookup {
    private final Supplier<MetadataImage> image;
    private final Map<String, Map<ScramMechanism, ScramCredential>> bootstrap;

    /**
     * @param image            the image the node has applied now
     * @param bootstrapRecords what {@code fjord format} left for a new cluster
     */
    ControllerScramCredentials(Supplier<MetadataImage> image, List<MetadataRecord> bootstrapRecords) {
        this.image = image;
        Map<String, Map<ScramMechanism, ScramCredential>> credentials = new HashMap<>();
        for (MetadataRecord record : bootstrapRecords) {
            if (record instanceof UserScramCredentialRecord scram) {
                ScramMechanism.fromType(scram.mechanism()).ifPresent(mechanism -> credentials
                        .computeIfAbsent(scram.name(), user -> new HashMap<>()).put(mechanism, scram.credential()));
            }
        }
        Map<String, Map<ScramMechanism, ScramCredential>> frozen = new HashMap<>();
        credentials.forEach((user, byMechanism) -> frozen.put(user, Map.copyOf(byMechanism)));
        this.bootstrap = Map.copyOf(frozen);
    }

    /**
     * @param quorum           the node's quorum (its loader's image), null until it is made
     * @param bootstrapRecords what {@code fjord format} left for a new cluster
     */
    static ControllerScramCredentials of(Supplier<MetadataQuorum> quorum, List<MetadataRecord> bootstrapRecords) {
        return new ControllerScramCredentials(() -> {
            MetadataQuorum current = quorum.get();
            return current == null ? MetadataImage.EMPTY : current.loader().image();
        }, bootstrapRecords);
    }

    @Override
    public Optional<ScramCredential> credential(String user, ScramMechanism mechanism) {
        MetadataImage applied = image.get();
        if (isBootstrapped(applied)) {
            return applied.scramCredential(user, mechanism);
        }
        return Optional.ofNullable(bootstrap.getOrDefault(user, Map.of()).get(mechanism));
    }

    /** Whether the cluster's first records (its feature levels, with any bootstrap credentials) are in the image. */
    static boolean isBootstrapped(MetadataImage image) {
        return !image.features().isEmpty() || !image.scramCredentials().isEmpty();
    }
}
