package io.fjord.protocol.generator;

import java.util.List;
import java.util.Map;

/**
 * Writes Fjord's class for one message: plain fields with Kafka's defaults, fluent setters, equality, and a nested
 * class per struct. Stateless.
 */
final class MessageClassWriter {
    private MessageClassWriter() {
    }

    static String write(MessageSpec spec, String apiKeyName) {
        SourceWriter out = new SourceWriter();
        out.line("package " + JavaTypes.FJORD_PACKAGE + ";").line("");
        out.line("/**");
        out.line(" * Fjord's form of Kafka's {@code " + spec.name() + "} (" + spec.type() + ", versions "
                + spec.validVersions().lowest() + " to " + spec.validVersions().highest() + "), generated from the");
        out.line(" * schema in kafka-clients. Do not edit. Mutable and not thread-safe: one owner at a time.");
        out.line(" */");
        String kind = apiKeyName == null ? "Message" : throttled(spec) ? "ThrottledResponse" : "ApiMessage";
        out.open("public final class " + spec.className() + " implements " + kind);
        body(out, spec.className(), spec.fields());
        if (apiKeyName != null) {
            out.line("");
            out.line("@Override");
            out.open("public ApiKey apiKey()").line("return ApiKey." + apiKeyName + ";").close();
            out.line("");
            out.line("@Override");
            out.open("public boolean isRequest()").line("return " + spec.type().equals("request") + ";").close();
        }
        Map<String, StructSpec> structs = spec.structs();
        for (StructSpec struct : structs.values()) {
            out.line("");
            out.line("/** The {@code " + struct.name() + "} struct of {@code " + spec.name() + "}. Mutable; not thread-safe. */");
            out.open("public static final class " + struct.name() + " implements Message");
            body(out, struct.name(), struct.fields());
            out.close();
        }
        out.close();
        return out.toString();
    }

    /** A response with a top-level int32 ThrottleTimeMs field: quota enforcement sets it through one interface. */
    private static boolean throttled(MessageSpec spec) {
        return spec.type().equals("response") && spec.fields().stream()
                .anyMatch(field -> field.name().equals("ThrottleTimeMs") && field.type().equals("int32"));
    }

    private static void body(SourceWriter out, String className, List<FieldSpec> fields) {
        for (FieldSpec field : fields) {
            out.line("private " + JavaTypes.fjordType(field) + " " + field.camelName() + " = "
                    + JavaTypes.defaultValue(field) + ";");
        }
        for (FieldSpec field : fields) {
            String type = JavaTypes.fjordType(field);
            out.line("");
            if (field.about() != null) {
                out.line("/** " + escape(field.about()) + " */");
            }
            out.open("public " + type + " " + field.camelName() + "()").line("return " + field.camelName() + ";").close();
            out.line("");
            out.open("public " + className + " " + field.setterName() + "(" + type + " value)")
                    .line("this." + field.camelName() + " = value;").line("return this;").close();
        }
        out.line("");
        out.line("@Override");
        out.open("public boolean equals(Object generatedOther)");
        out.open("if (!(generatedOther instanceof " + className + " generatedThat))").line("return false;").close();
        StringBuilder comparison = new StringBuilder("return true");
        for (FieldSpec field : fields) {
            String name = field.camelName();
            if (JavaTypes.isPrimitiveJava(field)) {
                comparison.append(" && ").append(name).append(" == generatedThat.").append(name);
            } else if (field.type().equals("bytes") && !field.zeroCopy()) {
                comparison.append(" && java.util.Arrays.equals(").append(name).append(", generatedThat.").append(name).append(")");
            } else {
                comparison.append(" && java.util.Objects.equals(").append(name).append(", generatedThat.").append(name).append(")");
            }
        }
        out.line(comparison + ";");
        out.close();
        out.line("");
        out.line("@Override");
        out.open("public int hashCode()");
        out.line("int generatedHash = 17;");
        for (FieldSpec field : fields) {
            String name = field.camelName();
            String hash = field.type().equals("bytes") && !field.zeroCopy() ? "java.util.Arrays.hashCode(" + name + ")"
                    : JavaTypes.isPrimitiveJava(field) ? JavaTypes.boxed(field.type()) + ".hashCode(" + name + ")"
                    : "java.util.Objects.hashCode(" + name + ")";
            out.line("generatedHash = 31 * generatedHash + " + hash + ";");
        }
        out.line("return generatedHash;");
        out.close();
        out.line("");
        out.line("@Override");
        out.open("public String toString()");
        StringBuilder text = new StringBuilder("return \"" + className + "(\"");
        String separator = "";
        for (FieldSpec field : fields) {
            String name = field.camelName();
            String value = field.type().equals("bytes") && !field.zeroCopy()
                    ? "(" + name + " == null ? \"null\" : " + name + ".length + \" bytes\")" : name;
            text.append(" + \"").append(separator).append(name).append("=\" + ").append(value);
            separator = ", ";
        }
        out.line(text + " + \")\";");
        out.close();
    }

    private static String escape(String text) {
        return text.replace("*/", "* /").replace("@", "{@literal @}").replace("<", "&lt;").replace(">", "&gt;");
    }
}
