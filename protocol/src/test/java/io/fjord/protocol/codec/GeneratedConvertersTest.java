package io.fjord.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.message.ApiKey;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

/** Every generated converter keeps every field of every message, both ways. */
class GeneratedConvertersTest {
    private static final String CONVERTER_PACKAGE = "io.fjord.protocol.codec.generated";

    private static List<Class<?>> converters() throws IOException, URISyntaxException, ClassNotFoundException {
        URL directory = GeneratedConvertersTest.class.getClassLoader().getResource(CONVERTER_PACKAGE.replace('.', '/'));
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(directory.toURI()))) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith("Converter.class") && !name.contains("$")) {
                    classes.add(Class.forName(CONVERTER_PACKAGE + "." + name.substring(0, name.length() - 6)));
                }
            }
        }
        return classes;
    }

    private static Method topLevel(Class<?> converter, String name, String parameterPackage) {
        for (Method method : converter.getMethods()) {
            if (method.getName().equals(name) && method.getParameterTypes()[0].getPackageName().equals(parameterPackage)
                    && method.getParameterTypes()[0].getEnclosingClass() == null) {
                return method;
            }
        }
        throw new AssertionError("no top-level " + name + " in " + converter);
    }

    @Test
    void everyMessageSurvivesKafkaToFjordToKafka() throws Exception {
        List<Class<?>> converters = converters();
        assertThat(converters).hasSizeGreaterThan(190);
        for (Class<?> converter : converters) {
            Method fromKafka = topLevel(converter, "fromKafka", "org.apache.kafka.common.message");
            Method toKafka = topLevel(converter, "toKafka", "io.fjord.protocol.message");
            for (long seed = 0; seed < 5; seed++) {
                Object kafka = new RandomKafkaMessages(seed * 31 + converter.getName().hashCode())
                        .fill(fromKafka.getParameterTypes()[0]);
                Object fjord = fromKafka.invoke(null, kafka);
                Object back = toKafka.invoke(null, fjord);
                assertThat(back).as("%s seed %d", converter.getSimpleName(), seed).isEqualTo(kafka);
                assertThat(fromKafka.invoke(null, back)).as("Fjord equality of %s", converter.getSimpleName())
                        .isEqualTo(fjord);
                assertThat(fjord.hashCode()).isEqualTo(fromKafka.invoke(null, back).hashCode());
            }
        }
    }

    @Test
    void apiKeysMatchKafkaClients() {
        for (ApiKeys kafka : ApiKeys.values()) {
            if (kafka.latestVersion() < kafka.oldestVersion()) {
                continue; // an API Kafka removed (the ZooKeeper-era controller APIs keep their ids)
            }
            ApiKey fjord = ApiKey.forId(kafka.id);
            assertThat(fjord).as("Fjord knows %s", kafka).isNotNull();
            assertThat(fjord.name()).isEqualTo(kafka.name());
            assertThat(fjord.lowestSchemaVersion()).isLessThanOrEqualTo(kafka.oldestVersion());
            assertThat(fjord.highestSchemaVersion()).isGreaterThanOrEqualTo(kafka.latestVersion());
            assertThat(fjord.newRequest().apiKey()).isEqualTo(fjord);
            assertThat(fjord.newRequest().isRequest()).isTrue();
            assertThat(fjord.newResponse().isRequest()).isFalse();
        }
    }
}
