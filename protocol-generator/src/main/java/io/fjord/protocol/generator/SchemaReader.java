package io.fjord.protocol.generator;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Reads every message schema ({@code common/message/*.json}) from the kafka-clients jar on the class path.
 * Not thread-safe; used once per generator run.
 */
final class SchemaReader {
    private static final String DIRECTORY = "common/message/";
    private final JsonMapper mapper = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();

    List<MessageSpec> readAll() throws IOException {
        URL anchor = SchemaReader.class.getClassLoader().getResource(DIRECTORY + "ProduceRequest.json");
        if (anchor == null) {
            throw new IOException("kafka-clients' message schemas are not on the class path");
        }
        List<MessageSpec> specs = new ArrayList<>();
        JarURLConnection connection = (JarURLConnection) anchor.openConnection();
        try (JarFile jar = connection.getJarFile()) {
            List<JarEntry> entries = Collections.list(jar.entries());
            for (JarEntry entry : entries) {
                String name = entry.getName();
                if (name.startsWith(DIRECTORY) && name.endsWith(".json") && name.indexOf('/', DIRECTORY.length()) < 0) {
                    try (InputStream input = jar.getInputStream(entry)) {
                        specs.add(message(mapper.readTree(input)));
                    }
                }
            }
        }
        specs.sort((left, right) -> left.name().compareTo(right.name()));
        return specs;
    }

    private MessageSpec message(JsonNode node) {
        Versions valid = Versions.parse(text(node, "validVersions"), Versions.ALL);
        List<StructSpec> common = new ArrayList<>();
        for (JsonNode struct : iterable(node.get("commonStructs"))) {
            common.add(new StructSpec(text(struct, "name"), fields(struct.get("fields"))));
        }
        List<String> listeners = new ArrayList<>();
        for (JsonNode listener : iterable(node.get("listeners"))) {
            listeners.add(listener.asText());
        }
        return new MessageSpec(text(node, "name"), text(node, "type"),
                node.has("apiKey") ? node.get("apiKey").asInt() : null, valid,
                Versions.parse(text(node, "flexibleVersions"), Versions.NONE), listeners,
                node.path("latestVersionUnstable").asBoolean(false), fields(node.get("fields")), common);
    }

    private List<FieldSpec> fields(JsonNode array) {
        List<FieldSpec> fields = new ArrayList<>();
        for (JsonNode field : iterable(array)) {
            Versions versions = Versions.parse(text(field, "versions"), Versions.ALL);
            fields.add(new FieldSpec(text(field, "name"), text(field, "type"), versions,
                    Versions.parse(text(field, "nullableVersions"), Versions.NONE),
                    field.has("default") ? field.get("default").asText() : null,
                    field.path("ignorable").asBoolean(false), field.path("mapKey").asBoolean(false),
                    Versions.parse(text(field, "taggedVersions"), Versions.NONE),
                    field.has("tag") ? field.get("tag").asInt() : null, field.path("zeroCopy").asBoolean(false),
                    field.has("fields") ? fields(field.get("fields")) : null, text(field, "about")));
        }
        return fields;
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node == null ? List.of() : node::elements;
    }
}
