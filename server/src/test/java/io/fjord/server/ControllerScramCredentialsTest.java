package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.RemoveUserScramCredentialRecord;
import io.fjord.metadata.records.UserScramCredentialRecord;
import io.fjord.metadata.scram.ScramMechanism;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A controller checks SCRAM logins to its controller listener against {@code fjord format --add-scram}'s records
 * until the cluster's first records are applied, then against the metadata image only.
 */
class ControllerScramCredentialsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ScramMechanism SHA_512 = ScramMechanism.SCRAM_SHA_512;

    private final UserScramCredentialRecord formatted = ScramBootstrap.parse(
            "SCRAM-SHA-512=[name=controller,password=controller-secret,iterations=4096]", RANDOM);
    private MetadataImage image = MetadataImage.EMPTY;
    private final ControllerScramCredentials credentials = new ControllerScramCredentials(() -> image,
            List.of(formatted));

    private void apply(MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(image);
        long offset = image.offset();
        for (MetadataRecord record : records) {
            delta.replay(record, ++offset);
        }
        image = delta.apply();
    }

    @Test
    void theBootstrapCredentialsServeUntilTheClusterIsBootstrapped() {
        assertThat(credentials.credential("controller", SHA_512)).contains(formatted.credential());
        assertThat(credentials.credential("controller", ScramMechanism.SCRAM_SHA_256)).isEmpty();
        assertThat(credentials.credential("someone", SHA_512)).isEmpty();

        // The first active controller commits the feature levels and its own bootstrap records (another salt).
        UserScramCredentialRecord committed = ScramBootstrap.parse(
                "SCRAM-SHA-512=[name=controller,password=controller-secret,iterations=4096]", RANDOM);
        apply(new FeatureLevelRecord("eligible.leader.replicas.version", (short) 1), committed);
        assertThat(credentials.credential("controller", SHA_512)).contains(committed.credential());
    }

    @Test
    void aCredentialDeletedAfterTheBootstrapIsNotRevivedByTheFile() {
        apply(new FeatureLevelRecord("eligible.leader.replicas.version", (short) 1), formatted);
        apply(new RemoveUserScramCredentialRecord("controller", SHA_512.type()));

        assertThat(credentials.credential("controller", SHA_512)).isEmpty();
    }

    @Test
    void withoutAQuorumYetTheBootstrapCredentialsServe() {
        ControllerScramCredentials early = ControllerScramCredentials.of(() -> null, List.of(formatted));
        assertThat(early.credential("controller", SHA_512)).contains(formatted.credential());
    }
}
