package io.fjord.protocol.generator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One message schema file: a request, response, header or data message. Immutable.
 *
 * @param type            request, response, header or data
 * @param commonStructs   structs that fields refer to by name
 */
record MessageSpec(String name, String type, Integer apiKey, Versions validVersions, Versions flexibleVersions,
                   List<String> listeners, boolean latestVersionUnstable, List<FieldSpec> fields,
                   List<StructSpec> commonStructs) {

    /** Kafka's generated class name: requests, responses and headers end in {@code Data}. */
    String className() {
        return switch (type) {
            case "request", "response", "header" -> name + "Data";
            default -> name;
        };
    }

    /** Every struct of this message by name (inline and common), in declaration order. */
    Map<String, StructSpec> structs() {
        Map<String, StructSpec> structs = new LinkedHashMap<>();
        collect(fields, structs);
        for (StructSpec common : commonStructs) {
            structs.putIfAbsent(common.name(), common);
            collect(common.fields(), structs);
        }
        return structs;
    }

    private static void collect(List<FieldSpec> fields, Map<String, StructSpec> structs) {
        for (FieldSpec field : fields) {
            if (field.fields() != null) {
                structs.putIfAbsent(field.elementType(), new StructSpec(field.elementType(), field.fields()));
                collect(field.fields(), structs);
            }
        }
    }
}
