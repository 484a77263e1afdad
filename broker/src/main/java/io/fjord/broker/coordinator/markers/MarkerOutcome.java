package io.fjord.broker.coordinator.markers;

import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.protocol.Errors;

/** An outcome the channel reports to the coordinator's {@link TransactionMarkerChannel.Outcomes}. Immutable. */
sealed interface MarkerOutcome {
    void deliverTo(TransactionMarkerChannel.Outcomes outcomes);

    /** The marker of one partition is written (or needs none). */
    record Written(TransactionMarkers markers, TransactionPartition partition) implements MarkerOutcome {
        @Override
        public void deliverTo(TransactionMarkerChannel.Outcomes outcomes) {
            outcomes.markerWritten(markers, partition);
        }
    }

    /** The channel stopped sending these markers for good. */
    record Abandoned(TransactionMarkers markers, Errors error) implements MarkerOutcome {
        @Override
        public void deliverTo(TransactionMarkerChannel.Outcomes outcomes) {
            outcomes.markersAbandoned(markers, error);
        }
    }
}
