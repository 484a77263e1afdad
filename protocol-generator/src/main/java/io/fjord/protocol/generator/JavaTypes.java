package io.fjord.protocol.generator;

/**
 * Maps schema types to Java types and default values, for Fjord's classes and for Kafka's. Stateless.
 */
final class JavaTypes {
    static final String FJORD_PACKAGE = "io.fjord.protocol.message";
    static final String KAFKA_PACKAGE = "org.apache.kafka.common.message";

    private JavaTypes() {
    }

    static String primitive(String type, boolean zeroCopy) {
        return switch (type) {
            case "bool" -> "boolean";
            case "int8" -> "byte";
            case "int16" -> "short";
            case "uint16", "int32" -> "int";
            case "uint32", "int64" -> "long";
            case "float64" -> "double";
            case "string" -> "String";
            case "bytes" -> zeroCopy ? "java.nio.ByteBuffer" : "byte[]";
            case "uuid" -> "java.util.UUID";
            case "records" -> "Records";
            default -> throw new IllegalArgumentException("not a primitive: " + type);
        };
    }

    static String boxed(String type) {
        return switch (type) {
            case "bool" -> "Boolean";
            case "int8" -> "Byte";
            case "int16" -> "Short";
            case "uint16", "int32" -> "Integer";
            case "uint32", "int64" -> "Long";
            case "float64" -> "Double";
            case "string" -> "String";
            case "uuid" -> "java.util.UUID";
            default -> throw new IllegalArgumentException("no boxed type for " + type);
        };
    }

    /** The Fjord field type; struct names are nested classes of the message class. */
    static String fjordType(FieldSpec field) {
        if (field.isArray()) {
            String element = field.isStruct() ? field.elementType() : boxed(field.elementType());
            return "java.util.List<" + element + ">";
        }
        return field.isStruct() ? field.type() : primitive(field.type(), field.zeroCopy());
    }

    /** The initializer Kafka's generated class uses for the field, which Fjord's classes copy. */
    static String defaultValue(FieldSpec field) {
        String declared = field.defaultValue();
        boolean nullDefault = "null".equals(declared);
        if (field.isArray()) {
            return nullDefault ? "null" : "new java.util.ArrayList<>(0)";
        }
        if (field.isStruct()) {
            return nullDefault ? "null" : "new " + field.type() + "()";
        }
        String value = declared == null ? "" : declared.trim();
        return switch (field.type()) {
            case "bool" -> Boolean.toString(value.equalsIgnoreCase("true"));
            case "int8" -> "(byte) " + number(value);
            case "int16" -> "(short) " + number(value);
            case "uint16", "int32" -> number(value);
            case "uint32", "int64" -> number(value) + "L";
            case "float64" -> value.isEmpty() ? "0.0" : value;
            case "string" -> nullDefault ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            case "bytes" -> nullDefault ? "null" : field.zeroCopy() ? "java.nio.ByteBuffer.allocate(0)" : "new byte[0]";
            case "uuid" -> "new java.util.UUID(0L, 0L)";
            case "records" -> "null";
            default -> throw new IllegalArgumentException("unknown type " + field.type());
        };
    }

    private static String number(String value) {
        return value.isEmpty() ? "0" : value;
    }

    static boolean isPrimitiveJava(FieldSpec field) {
        return !field.isArray() && !field.isStruct()
                && !java.util.List.of("string", "bytes", "uuid", "records").contains(field.type());
    }
}
