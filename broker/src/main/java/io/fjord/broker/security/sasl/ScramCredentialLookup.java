package io.fjord.broker.security.sasl;

import io.fjord.metadata.scram.ScramCredential;
import io.fjord.metadata.scram.ScramMechanism;
import java.util.Optional;

/** Finds a user's stored SCRAM credential (the node's current metadata image). Implementations are thread-safe. */
@FunctionalInterface
public interface ScramCredentialLookup {
    Optional<ScramCredential> credential(String user, ScramMechanism mechanism);
}
