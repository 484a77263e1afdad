package io.fjord.protocol.generator;

import java.util.List;
import java.util.Map;

/**
 * Writes the converter between Fjord's class for a message and Kafka's generated one: a {@code toKafka} and a
 * {@code fromKafka} overload per struct, copying field by field. It lives in the codec package, the only place
 * allowed to see Kafka's classes. Stateless.
 */
final class ConverterWriter {
    static final String PACKAGE = "io.fjord.protocol.codec.generated";

    private ConverterWriter() {
    }

    static String write(MessageSpec spec) {
        Map<String, StructSpec> structs = spec.structs();
        String fjordTop = JavaTypes.FJORD_PACKAGE + "." + spec.className();
        String kafkaTop = JavaTypes.KAFKA_PACKAGE + "." + spec.className();
        SourceWriter out = new SourceWriter();
        out.line("package " + PACKAGE + ";").line("");
        out.line("import io.fjord.protocol.codec.KafkaTypes;").line("");
        out.line("/** Copies {@code " + spec.className() + "} between Fjord's and Kafka's classes. Generated; stateless. */");
        out.open("public final class " + spec.className() + "Converter");
        out.open("private " + spec.className() + "Converter()").close();
        methods(out, fjordTop, kafkaTop, spec.fields(), structs, fjordTop, kafkaTop);
        for (StructSpec struct : structs.values()) {
            methods(out, fjordTop + "." + struct.name(), kafkaTop + "." + struct.name(), struct.fields(), structs,
                    fjordTop, kafkaTop);
        }
        out.close();
        return out.toString();
    }

    private static void methods(SourceWriter out, String fjordClass, String kafkaClass, List<FieldSpec> fields,
                                Map<String, StructSpec> structs, String fjordTop, String kafkaTop) {
        out.line("");
        out.open("public static " + kafkaClass + " toKafka(" + fjordClass + " in)");
        out.open("if (in == null)").line("return null;").close();
        out.line(kafkaClass + " out = new " + kafkaClass + "();");
        for (FieldSpec field : fields) {
            copy(out, field, structs, fjordTop, kafkaTop, true);
        }
        out.line("return out;");
        out.close();
        out.line("");
        out.open("public static " + fjordClass + " fromKafka(" + kafkaClass + " in)");
        out.open("if (in == null)").line("return null;").close();
        out.line(fjordClass + " out = new " + fjordClass + "();");
        for (FieldSpec field : fields) {
            copy(out, field, structs, fjordTop, kafkaTop, false);
        }
        out.line("return out;");
        out.close();
    }

    private static void copy(SourceWriter out, FieldSpec field, Map<String, StructSpec> structs, String fjordTop,
                             String kafkaTop, boolean toKafka) {
        String get = "in." + field.camelName() + "()";
        String set = "out." + field.setterName();
        String direction = toKafka ? "toKafka" : "fromKafka";
        if (field.isArray() && field.isStruct()) {
            StructSpec struct = structs.get(field.elementType());
            String source = (toKafka ? fjordTop : kafkaTop) + "." + field.elementType();
            String target = (toKafka ? kafkaTop : fjordTop) + "." + field.elementType();
            String container = toKafka && struct.hasKeys()
                    ? kafkaTop + "." + field.elementType() + "Collection" : "java.util.ArrayList<" + target + ">";
            String variable = field.camelName() + "Copy";
            out.open("if (" + get + " == null)").line(set + "(null);");
            out.close(" else {");
            out.line("    " + container + " " + variable + " = new " + container.replaceAll("<.*>", "<>") + "();");
            out.line("    for (" + source + " element : " + get + ") {");
            out.line("        " + variable + ".add(" + direction + "(element));");
            out.line("    }");
            out.line("    " + set + "(" + variable + ");");
            out.line("}");
        } else if (field.isArray()) {
            String element = field.elementType();
            String helper = element.equals("uuid") ? (toKafka ? "KafkaTypes.toKafkaUuids" : "KafkaTypes.fromKafkaUuids")
                    : "KafkaTypes.copyList";
            out.line(set + "(" + helper + "(" + get + "));");
        } else if (field.isStruct()) {
            out.line(set + "(" + direction + "(" + get + "));");
        } else {
            String value = switch (field.type()) {
                case "uuid" -> (toKafka ? "KafkaTypes.toKafka(" : "KafkaTypes.fromKafka(") + get + ")";
                case "records" -> (toKafka ? "KafkaTypes.toKafkaRecords(" : "KafkaTypes.fromKafkaRecords(") + get + ")";
                case "bytes" -> field.zeroCopy() ? "KafkaTypes.duplicate(" + get + ")" : get;
                default -> get;
            };
            out.line(set + "(" + value + ");");
        }
    }
}
