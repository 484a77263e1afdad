package io.fjord.protocol.generator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates Fjord's message classes ({@code io.fjord.protocol.message}) and their converters to Kafka's classes
 * ({@code io.fjord.protocol.codec.generated}) from the schemas inside the kafka-clients jar.
 *
 * <p>Usage: {@code MessageGenerator <output source directory>}. Runs once per build; not thread-safe.
 */
public final class MessageGenerator {
    private MessageGenerator() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: MessageGenerator <output directory>");
        }
        Path output = Path.of(args[0]);
        List<MessageSpec> specs = new ArrayList<>();
        for (MessageSpec spec : new SchemaReader().readAll()) {
            // Schemas of APIs Kafka removed (the ZooKeeper-era controller APIs) ship without classes: skip them.
            if (kafkaClassExists(spec)) {
                specs.add(spec);
            }
        }
        Map<Integer, MessageSpec> requests = new HashMap<>();
        Map<Integer, MessageSpec> responses = new HashMap<>();
        for (MessageSpec spec : specs) {
            if (spec.type().equals("request")) {
                requests.put(spec.apiKey(), spec);
            } else if (spec.type().equals("response")) {
                responses.put(spec.apiKey(), spec);
            }
        }
        List<ApiKeyWriter.ApiPair> apis = new ArrayList<>();
        requests.keySet().retainAll(responses.keySet());
        requests.keySet().stream().sorted().forEach(key -> apis.add(new ApiKeyWriter.ApiPair(requests.get(key),
                responses.get(key))));
        Path messages = output.resolve(JavaTypes.FJORD_PACKAGE.replace('.', '/'));
        Path converters = output.resolve(ConverterWriter.PACKAGE.replace('.', '/'));
        Files.createDirectories(messages);
        Files.createDirectories(converters);
        for (MessageSpec spec : specs) {
            String apiKeyName = spec.apiKey() == null || spec.type().equals("data") ? null
                    : ApiKeyWriter.constantName(requests.get(spec.apiKey()));
            write(messages.resolve(spec.className() + ".java"), MessageClassWriter.write(spec, apiKeyName));
            write(converters.resolve(spec.className() + "Converter.java"), ConverterWriter.write(spec));
        }
        write(messages.resolve("ApiKey.java"), ApiKeyWriter.writeEnum(apis));
        write(converters.resolve("MessageConverters.java"), ApiKeyWriter.writeDispatcher(apis));
        Path protocolPackage = output.resolve("io/fjord/protocol");
        try {
            write(protocolPackage.resolve("Errors.java"), ErrorsWriter.write());
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot read kafka-clients' Errors", e);
        }

    }

    private static boolean kafkaClassExists(MessageSpec spec) {
        try {
            Class.forName(JavaTypes.KAFKA_PACKAGE + "." + spec.className(), false,
                    MessageGenerator.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void write(Path file, String content) throws IOException {
        // Leave unchanged files untouched so incremental compilation stays incremental.
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
            return;
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
