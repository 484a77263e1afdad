package io.fjord.protocol.generator;

import java.util.List;

/** A named struct of a message schema. Immutable. */
record StructSpec(String name, List<FieldSpec> fields) {
    /** Kafka generates a keyed collection class for arrays of structs that have a map key. */
    boolean hasKeys() {
        return fields.stream().anyMatch(FieldSpec::mapKey);
    }
}
