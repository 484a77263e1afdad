package io.fjord.metadata.controller;

import io.fjord.metadata.records.MetadataRecord;
import java.util.List;

/**
 * What a controller operation decided: the records to append to the metadata log and the response to send once
 * they are durable. Immutable once built (the response object is not touched after it is returned).
 */
public record ControllerResult<T>(List<MetadataRecord> records, T response) {
    public ControllerResult {
        records = List.copyOf(records);
    }
}
