package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.controller.ConfigControl;
import io.fjord.broker.controller.ControllerApis;
import io.fjord.broker.LoggerLevels;
import io.fjord.broker.MetadataCache;
import io.fjord.broker.MetadataPublication;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AlterConfigs and IncrementalAlterConfigs on broker resources, through a real controller over a memory log. */
class AlterConfigsHandlersTest {
    private static final int NODE_ID = 1;
    private static final byte BROKER = 4;
    private static final byte BROKER_LOGGER = 8;
    private static final byte SET = 0;
    private static final byte DELETE = 1;

    private final MemoryLoggers loggers = new MemoryLoggers();
    private MetadataCache cache;
    private MemoryController controller;
    private AlterConfigsHandlers handlers;

    @BeforeEach
    void start() {
        cache = new MetadataCache("cluster", NODE_ID, MetadataImage.EMPTY);
        controller = new MemoryController(new MetadataPublication(cache, List.of()));
        ImageConfigResolver configs = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(
                Map.of("node.id", "1", "process.roles", "broker,controller"))), NODE_ID);
        handlers = new AlterConfigsHandlers(new ControllerApis(controller, null, new ConfigControl(configs), null, null,
                java.time.InstantSource.system()), NODE_ID,
                loggers);
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    private static AlterConfigsResource resource(String name, AlterableConfig... configs) {
        AlterConfigsResource resource = new AlterConfigsResource().setResourceType(BROKER).setResourceName(name);
        resource.configs().addAll(List.of(configs));
        return resource;
    }

    private static AlterableConfig config(byte operation, String name, String value) {
        return new AlterableConfig().setConfigOperation(operation).setName(name).setValue(value);
    }

    private List<AlterConfigsResourceResponse> incremental(boolean validateOnly, AlterConfigsResource... resources)
            throws Exception {
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData()
                .setValidateOnly(validateOnly);
        for (AlterConfigsResource resource : resources) {
            request.resources().add(resource);
        }
        ApiMessage response = handlers.incrementalAlterConfigsHandler().handle(null, new DecodedRequest(
                ApiKey.INCREMENTAL_ALTER_CONFIGS, (short) 1, 1, "test", (short) 2, request, 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        return ((IncrementalAlterConfigsResponseData) response).responses();
    }

    private AlterConfigsResourceResponse incremental(AlterConfigsResource resource) throws Exception {
        return incremental(false, resource).get(0);
    }

    @Test
    void anOperationWritingMoreThanTheRecordBoundIsRefusedWhole() throws Exception {
        List<MetadataRecord> topics = new ArrayList<>();
        for (int index = 0; index < 1000; index++) {
            topics.add(new TopicRecord("topic-" + index, new UUID(4, index)));
        }
        controller.submit(image -> new ControllerResult<>(topics, null)).get(30, TimeUnit.SECONDS);
        String[] names = {"retention.ms", "segment.ms", "flush.ms", "delete.retention.ms", "file.delete.delay.ms",
            "min.compaction.lag.ms", "segment.jitter.ms", "message.timestamp.after.max.ms",
            "message.timestamp.before.max.ms", "flush.messages", "retention.bytes"};
        List<AlterConfigsResource> resources = new ArrayList<>();
        for (int index = 0; index < 1000; index++) {
            AlterConfigsResource resource = new AlterConfigsResource().setResourceType(ConfigRecord.TOPIC)
                    .setResourceName("topic-" + index);
            for (String name : names) {
                resource.configs().add(config(SET, name, "1000"));
            }
            resources.add(resource);
        }
        long offsetBefore = cache.image().offset();
        // 11,000 ConfigRecords: Kafka refuses the operation with POLICY_VIOLATION, and so does Fjord.
        List<AlterConfigsResourceResponse> responses = incremental(false, resources.toArray(AlterConfigsResource[]::new));
        assertThat(responses).hasSize(1000).allSatisfy(response -> {
            assertThat(response.errorCode()).isEqualTo(Errors.POLICY_VIOLATION.code());
            assertThat(response.errorMessage()).isEqualTo(OperationLimits.TOO_MANY_RECORDS);
        });
        assertThat(cache.image().offset()).isEqualTo(offsetBefore);
        assertThat(cache.image().topicConfig("topic-0")).isEmpty();
        // The same change in two halves is within the bound.
        assertThat(incremental(false, resources.subList(0, 500).toArray(AlterConfigsResource[]::new)))
                .allSatisfy(response -> assertThat(response.errorCode()).isZero());
        assertThat(cache.image().topicConfig("topic-0")).hasSize(names.length);
    }

    @Test
    void clusterDefaultAndThisBrokerBecomeConfigRecordsAndDeleteWritesANullValue() throws Exception {
        assertThat(incremental(resource("", config(SET, "log.retention.ms", "5000"))).errorCode()).isZero();
        assertThat(incremental(resource("1", config(SET, "log.segment.bytes", "2097152"))).errorCode()).isZero();
        assertThat(cache.image().brokerConfig("")).isEqualTo(Map.of("log.retention.ms", "5000"));
        assertThat(cache.image().brokerConfig("1")).isEqualTo(Map.of("log.segment.bytes", "2097152"));

        assertThat(incremental(resource("", config(DELETE, "log.retention.ms", null))).errorCode()).isZero();
        assertThat(cache.image().brokerConfig("")).isEmpty();
        assertThat(controller.records).containsExactly(
                new ConfigRecord(ConfigRecord.BROKER, "", "log.retention.ms", "5000"),
                new ConfigRecord(ConfigRecord.BROKER, "1", "log.segment.bytes", "2097152"),
                new ConfigRecord(ConfigRecord.BROKER, "", "log.retention.ms", null));
    }

    @Test
    void thisBrokersCheckRefusesAChangeWithInvalidRequestBeforeItIsForwarded() throws Exception {
        String location = "listener.name.ssl.ssl.keystore.location";
        List<Map<String, String>> checked = new ArrayList<>();
        ImageConfigResolver configs = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(
                Map.of("node.id", "1", "process.roles", "broker,controller"))), NODE_ID);
        handlers = new AlterConfigsHandlers(new ControllerApis(controller, null, new ConfigControl(configs), null,
                null, java.time.InstantSource.system()), NODE_ID, loggers,
                () -> cache.image().brokerConfig("1"), proposed -> {
                    checked.add(proposed);
                    return "/missing.p12".equals(proposed.get(location))
                            ? java.util.Optional.of("Validation of dynamic config update of SSLFactory failed")
                            : java.util.Optional.empty();
                });
        assertThat(incremental(resource("1", config(SET, "log.segment.bytes", "2097152"))).errorCode()).isZero();

        AlterConfigsResourceResponse refused = incremental(resource("1", config(SET, location, "/missing.p12")));
        AlterConfigsResourceResponse refusedOnValidation = incremental(true,
                resource("1", config(SET, location, "/missing.p12"))).get(0);

        assertThat(refused.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(refused.errorMessage()).isEqualTo("Validation of dynamic config update of SSLFactory failed");
        assertThat(refusedOnValidation.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        // The check saw the broker's configs as they would be after the change.
        assertThat(checked.get(1)).isEqualTo(Map.of("log.segment.bytes", "2097152", location, "/missing.p12"));
        assertThat(cache.image().brokerConfig("1")).isEqualTo(Map.of("log.segment.bytes", "2097152"));
        // The cluster default is not this broker's: it is not checked here.
        assertThat(incremental(resource("", config(SET, "log.retention.ms", "5000"))).errorCode()).isZero();
        assertThat(checked).hasSize(3);
    }

    @Test
    void validateOnlyChecksWithoutWriting() throws Exception {
        List<AlterConfigsResourceResponse> responses = incremental(true,
                resource("", config(SET, "log.retention.ms", "5000")),
                resource("1", config(SET, "log.dirs", "/elsewhere")));
        assertThat(responses.get(0).errorCode()).isZero();
        assertThat(responses.get(1).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(controller.records).isEmpty();
    }

    @Test
    void refusalsCarryKafkasErrorsAndMessages() throws Exception {
        AlterConfigsResourceResponse readOnly = incremental(resource("1", config(SET, "log.dirs", "/x")));
        assertThat(readOnly.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(readOnly.errorMessage()).isEqualTo("Cannot update these configs dynamically: [log.dirs]");

        AlterConfigsResourceResponse perBrokerOnly = incremental(resource("",
                config(SET, "listeners", "PLAINTEXT://:9092")));
        assertThat(perBrokerOnly.errorMessage()).isEqualTo("Cannot update these configs at default cluster level, "
                + "broker id must be specified: [listeners]");

        AlterConfigsResourceResponse badValue = incremental(resource("", config(SET, "log.retention.ms", "soon")));
        assertThat(badValue.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(badValue.errorMessage()).contains("soon").contains("log.retention.ms");

        AlterConfigsResourceResponse otherBroker = incremental(resource("2", config(SET, "log.retention.ms", "1")));
        assertThat(otherBroker.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(otherBroker.errorMessage()).isEqualTo("Unexpected broker id, expected 1, but received 2");

        AlterConfigsResourceResponse notANumber = incremental(resource("one", config(SET, "log.retention.ms", "1")));
        assertThat(notANumber.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(notANumber.errorMessage()).isEqualTo("Node id must be an integer, but it is: one");

        List<AlterConfigsResourceResponse> twice = incremental(false,
                resource("", config(SET, "log.retention.ms", "1")), resource("", config(SET, "log.retention.ms", "2")));
        assertThat(twice).extracting(AlterConfigsResourceResponse::errorMessage)
                .containsOnly("Each resource must appear at most once.");

        AlterConfigsResourceResponse logger = incremental(new AlterConfigsResource().setResourceType((byte) 99)
                .setResourceName("1"));
        assertThat(logger.errorMessage()).isEqualTo("Unknown resource type 99");
        assertThat(controller.records).isEmpty();
    }

    @Test
    void legacyAlterConfigsReplacesTheWholeDynamicSet() throws Exception {
        assertThat(incremental(resource("1", config(SET, "log.retention.ms", "5000"),
                config(SET, "log.segment.bytes", "2097152"))).errorCode()).isZero();

        AlterConfigsRequestData request = new AlterConfigsRequestData();
        AlterConfigsRequestData.AlterConfigsResource legacy = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(BROKER).setResourceName("1");
        legacy.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("log.retention.ms")
                .setValue("6000"));
        request.resources().add(legacy);
        AlterConfigsRequestData.AlterConfigsResource loggers = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(BROKER_LOGGER).setResourceName("1");
        request.resources().add(loggers);
        AlterConfigsResponseData response = (AlterConfigsResponseData) handlers.alterConfigsHandler().handle(null,
                new DecodedRequest(ApiKey.ALTER_CONFIGS, (short) 2, 1, "test", (short) 2, request, 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(response.responses().get(0).errorCode()).isZero();
        // Kafka's legacy AlterConfigs never supported BROKER_LOGGER.
        assertThat(response.responses().get(1).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(response.responses().get(1).errorMessage()).isEqualTo("Unknown resource type 8");
        assertThat(cache.image().brokerConfig("1")).isEqualTo(Map.of("log.retention.ms", "6000"));
    }

    @Test
    void brokerLoggerLevelsChangeAtOnceWithoutRecordsAndWithKafkasChecks() throws Exception {
        AlterConfigsResource change = resource("1", config(SET, "io.fjord", "DEBUG"),
                config(DELETE, "io.fjord.storage", null)).setResourceType(BROKER_LOGGER);
        assertThat(incremental(true, change).get(0).errorCode()).isZero();
        assertThat(loggers.own).containsEntry("io.fjord", "INFO").containsEntry("io.fjord.storage", "WARN");

        assertThat(incremental(change).errorCode()).isZero();
        assertThat(loggers.own).containsEntry("io.fjord", "DEBUG").doesNotContainKey("io.fjord.storage");
        assertThat(controller.records).isEmpty();

        AlterConfigsResourceResponse badLevel = incremental(resource("1", config(SET, "io.fjord", "LOUD"))
                .setResourceType(BROKER_LOGGER));
        assertThat(badLevel.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(badLevel.errorMessage()).isEqualTo("Cannot set the log level of io.fjord to LOUD as it is not a "
                + "supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN");
        AlterConfigsResourceResponse unknown = incremental(resource("1", config(SET, "no.such", "INFO"))
                .setResourceType(BROKER_LOGGER));
        assertThat(unknown.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(unknown.errorMessage()).isEqualTo("Logger no.such does not exist!");
        AlterConfigsResourceResponse root = incremental(resource("1", config(DELETE, "root", null))
                .setResourceType(BROKER_LOGGER));
        assertThat(root.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(root.errorMessage()).isEqualTo("Removing the log level of the root logger is not allowed");
        AlterConfigsResourceResponse append = incremental(resource("1", config((byte) 2, "io.fjord", "INFO"))
                .setResourceType(BROKER_LOGGER));
        assertThat(append.errorMessage()).isEqualTo("APPEND operation is not allowed for the BROKER_LOGGER resource");
        AlterConfigsResourceResponse otherNode = incremental(resource("2", config(SET, "io.fjord", "INFO"))
                .setResourceType(BROKER_LOGGER));
        assertThat(otherNode.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        // A failed check applies nothing, not even the valid operations before it.
        incremental(resource("1", config(SET, "io.fjord", "TRACE"), config(SET, "no.such", "INFO"))
                .setResourceType(BROKER_LOGGER));
        assertThat(loggers.own).containsEntry("io.fjord", "DEBUG");
    }

    /** Loggers in memory: own levels by name. Thread-safe. */
    static final class MemoryLoggers implements LoggerLevels {
        final Map<String, String> own = new ConcurrentHashMap<>(Map.of("root", "INFO", "io.fjord", "INFO",
                "io.fjord.storage", "WARN"));

        @Override
        public Map<String, String> effectiveLevels() {
            return new TreeMap<>(own);
        }

        @Override
        public boolean exists(String loggerName) {
            return own.containsKey(loggerName);
        }

        @Override
        public void setLevel(String loggerName, String level) {
            own.put(loggerName, level);
        }

        @Override
        public void unsetLevel(String loggerName) {
            own.remove(loggerName);
        }
    }
}
