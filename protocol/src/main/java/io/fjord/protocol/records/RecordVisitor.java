package io.fjord.protocol.records;

/**
 * Told about each record as {@link RecordFraming} walks a batch, with the fields the produce path checks, so those
 * checks need no decoded record objects.
 *
 * <p>Implementations are called from the walking thread only.
 */
@FunctionalInterface
public interface RecordVisitor {
    /** A visitor that checks nothing. */
    RecordVisitor NONE = (index, timestampDelta, hasKey) -> { };

    /**
     * @param index          the record's index in its batch (its offset delta)
     * @param timestampDelta its timestamp minus the batch's base timestamp
     * @param hasKey         whether its key is non-null
     */
    void record(int index, long timestampDelta, boolean hasKey);
}
