package io.fjord.protocol.generator;

import java.util.List;

/**
 * One field of a message schema. Immutable.
 *
 * @param type   the schema type: a primitive ({@code int32}, {@code string}, ...), a struct name, or {@code []T}
 * @param fields the fields of an inline struct, or null when the type is primitive or a common struct
 */
record FieldSpec(String name, String type, Versions versions, Versions nullableVersions, String defaultValue,
                 boolean ignorable, boolean mapKey, Versions taggedVersions, Integer tag, boolean zeroCopy,
                 List<FieldSpec> fields, String about) {

    static final List<String> PRIMITIVES = List.of("bool", "int8", "int16", "uint16", "int32", "uint32", "int64",
            "float64", "string", "bytes", "uuid", "records");

    boolean isArray() {
        return type.startsWith("[]");
    }

    String elementType() {
        return isArray() ? type.substring(2) : type;
    }

    boolean isStruct() {
        return !PRIMITIVES.contains(elementType());
    }

    boolean isNullable() {
        return !nullableVersions.isEmpty();
    }

    /** The getter's name: the schema name with a lower-case first letter, as Kafka's generator names it. */
    String camelName() {
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    /** The setter's name; some schemas spell field names in lower camel case, Kafka capitalizes them here. */
    String setterName() {
        return "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
