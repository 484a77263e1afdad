package io.fjord.metadata.quorum;

import io.fjord.metadata.controller.KraftVersionAccessor;
import io.fjord.metadata.controller.NotControllerException;
import io.fjord.protocol.Errors;
import io.fjord.raft.KraftVersionUpgrade;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The controller's access to the metadata quorum's {@code kraft.version}: read from the Raft driver, upgraded by the
 * Raft leader ({@code MetadataQuorum.upgradeKraftVersion}), waiting up to a bound for the answer (a validation is
 * answered in the driver's next cycle, an upgrade once committed).
 *
 * <p>Thread-safe.
 */
public final class QuorumKraftVersion implements KraftVersionAccessor {
    private final MetadataQuorum quorum;
    private final long waitMs;

    public QuorumKraftVersion(MetadataQuorum quorum, long waitMs) {
        this.quorum = quorum;
        this.waitMs = waitMs;
    }

    @Override
    public short kraftVersion() {
        return quorum.kraftVersion();
    }

    @Override
    public String upgrade(short level, boolean validateOnly) {
        KraftVersionUpgrade result;
        try {
            result = quorum.upgradeKraftVersion(level, validateOnly).get(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotControllerException("interrupted while upgrading kraft.version");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the kraft.version upgrade did not complete within " + waitMs + " ms",
                    e);
        }
        if (result.error() == Errors.NOT_LEADER_OR_FOLLOWER) {
            throw new NotControllerException(result.message());
        }
        return result.error() == Errors.NONE ? null : result.message();
    }
}
