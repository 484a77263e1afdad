package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.controller.ConfigControl;
import io.fjord.broker.controller.ControllerApis;
import io.fjord.broker.MetadataCache;
import io.fjord.broker.MetadataPublication;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.config.ConfigSource;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.DescribeConfigsRequestData;
import io.fjord.protocol.message.DescribeConfigsResponseData;
import io.fjord.protocol.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import io.fjord.protocol.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DescribeConfigs, IncrementalAlterConfigs and AlterConfigs on GROUP resources (type 32), through a real controller
 * over a memory log, with the answers Kafka 4.4 gives (observed with its Admin client and kafka-configs).
 */
class GroupConfigsHandlersTest {
    private static final byte GROUP = 32;
    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final byte APPEND = 2;

    private MetadataCache cache;
    private MemoryController controller;
    private AlterConfigsHandlers alter;
    private DescribeConfigsHandler describe;

    @BeforeEach
    void start() {
        cache = new MetadataCache("cluster", 1, MetadataImage.EMPTY);
        controller = new MemoryController(new MetadataPublication(cache, List.of()));
        // The operator set the default heartbeat interval: described as a static broker config.
        ImageConfigResolver configs = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(
                Map.of("node.id", "1", "process.roles", "broker,controller",
                        "group.consumer.heartbeat.interval.ms", "6000"))), 1);
        AlterConfigsHandlersTest.MemoryLoggers loggers = new AlterConfigsHandlersTest.MemoryLoggers();
        alter = new AlterConfigsHandlers(new ControllerApis(controller, null, new ConfigControl(configs), null, null,
                java.time.InstantSource.system()), 1,
                loggers);
        describe = new DescribeConfigsHandler(cache, configs, loggers);
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    private static AlterConfigsResource group(String name, AlterableConfig... configs) {
        AlterConfigsResource resource = new AlterConfigsResource().setResourceType(GROUP).setResourceName(name);
        resource.configs().addAll(List.of(configs));
        return resource;
    }

    private static AlterableConfig config(byte operation, String name, String value) {
        return new AlterableConfig().setConfigOperation(operation).setName(name).setValue(value);
    }

    private AlterConfigsResourceResponse incremental(boolean validateOnly, AlterConfigsResource resource)
            throws Exception {
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData()
                .setValidateOnly(validateOnly);
        request.resources().add(resource);
        return ((IncrementalAlterConfigsResponseData) alter.incrementalAlterConfigsHandler().handle(null,
                new DecodedRequest(ApiKey.INCREMENTAL_ALTER_CONFIGS, (short) 1, 1, "test", (short) 2, request, 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS)).responses().get(0);
    }

    private AlterConfigsResourceResponse incremental(AlterConfigsResource resource) throws Exception {
        return incremental(false, resource);
    }

    private DescribeConfigsResponseData.DescribeConfigsResult describe(String groupId) throws Exception {
        DescribeConfigsRequestData request = new DescribeConfigsRequestData().setIncludeSynonyms(true);
        request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(GROUP)
                .setResourceName(groupId).setConfigurationKeys(null));
        return ((DescribeConfigsResponseData) describe.handle(null, new DecodedRequest(ApiKey.DESCRIBE_CONFIGS,
                (short) 4, 1, "test", (short) 2, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .results().get(0);
    }

    private static DescribeConfigsResourceResult entry(DescribeConfigsResponseData.DescribeConfigsResult result,
            String name) {
        return result.configs().stream().filter(config -> config.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void anyGroupDescribesKafkasGroupConfigsWithTheBrokerSettingsAsDefaults() throws Exception {
        DescribeConfigsResponseData.DescribeConfigsResult result = describe("not-yet-a-group");
        assertThat(result.errorCode()).isZero();
        assertThat(result.configs()).extracting(DescribeConfigsResourceResult::name).containsExactly(
                "consumer.assignment.interval.ms", "consumer.heartbeat.interval.ms", "consumer.session.timeout.ms",
                "errors.deadletterqueue.copy.record.enable", "errors.deadletterqueue.topic.name",
                "share.assignment.interval.ms", "share.auto.offset.reset", "share.delivery.count.limit",
                "share.heartbeat.interval.ms", "share.isolation.level", "share.partition.max.record.locks",
                "share.record.lock.duration.ms", "share.renew.acknowledge.enable", "share.session.timeout.ms",
                "streams.assignment.interval.ms", "streams.assignor.name", "streams.heartbeat.interval.ms",
                "streams.initial.rebalance.delay.ms", "streams.num.standby.replicas",
                "streams.rack.aware.assignment.tags", "streams.session.timeout.ms");
        DescribeConfigsResourceResult session = entry(result, "consumer.session.timeout.ms");
        assertThat(session.value()).isEqualTo("45000");
        assertThat(session.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(session.synonyms()).extracting(DescribeConfigsSynonym::name, DescribeConfigsSynonym::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("group.consumer.session.timeout.ms", "45000"));
        DescribeConfigsResourceResult heartbeat = entry(result, "consumer.heartbeat.interval.ms");
        assertThat(heartbeat.value()).isEqualTo("6000");
        assertThat(heartbeat.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(heartbeat.synonyms()).extracting(DescribeConfigsSynonym::source).containsExactly(
                ConfigSource.STATIC_BROKER_CONFIG.id(), ConfigSource.DEFAULT_CONFIG.id());
        assertThat(entry(result, "streams.assignor.name").value()).isEqualTo("sticky");
        assertThat(entry(result, "streams.assignor.name").synonyms().get(0).name())
                .isEqualTo("group.streams.assignors");
        assertThat(entry(result, "share.auto.offset.reset").value()).isEqualTo("latest");
        assertThat(entry(result, "share.record.lock.duration.ms").synonyms().get(0).name())
                .isEqualTo("group.share.record.lock.duration.ms");

        DescribeConfigsResponseData.DescribeConfigsResult empty = describe("");
        assertThat(empty.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(empty.errorMessage()).isEqualTo("Group name must not be empty");
    }

    @Test
    void anOverrideIsAGroupConfigRecordDescribedAsDynamicGroupConfigAndDeleteRemovesIt() throws Exception {
        assertThat(incremental(group("g", config(SET, "consumer.session.timeout.ms", " 50000 "))).errorCode())
                .isZero();
        assertThat(controller.records).containsExactly(
                new ConfigRecord(ConfigRecord.GROUP, "g", "consumer.session.timeout.ms", " 50000 "));
        assertThat(cache.image().groupConfig("g")).containsEntry("consumer.session.timeout.ms", " 50000 ");
        DescribeConfigsResourceResult session = entry(describe("g"), "consumer.session.timeout.ms");
        assertThat(session.value()).isEqualTo("50000");
        assertThat(session.configSource()).isEqualTo(ConfigSource.GROUP_CONFIG.id());
        assertThat(session.synonyms()).extracting(DescribeConfigsSynonym::source).containsExactly(
                ConfigSource.GROUP_CONFIG.id(), ConfigSource.DEFAULT_CONFIG.id());

        assertThat(incremental(group("g", config(DELETE, "consumer.session.timeout.ms", null))).errorCode())
                .isZero();
        assertThat(cache.image().groupConfig("g")).isEmpty();
        assertThat(entry(describe("g"), "consumer.session.timeout.ms").configSource())
                .isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        // Deleting an unknown name is accepted, as in Kafka.
        assertThat(incremental(group("g", config(DELETE, "no.such.config", null))).errorCode()).isZero();
    }

    @Test
    void valuesAreCheckedAgainstTheirTypesAndTheBrokersBoundsAsKafkaDoes() throws Exception {
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put("consumer.session.timeout.ms=1000",
                "consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive.");
        refusals.put("consumer.heartbeat.interval.ms=20000",
                "consumer.heartbeat.interval.ms must be in the range 5000 to 15000 inclusive.");
        refusals.put("consumer.session.timeout.ms=abc",
                "Invalid value abc for configuration consumer.session.timeout.ms: Not a number of type INT");
        refusals.put("foo=1", "Unknown group config name: foo");
        refusals.put("share.delivery.count.limit=1",
                "Invalid value 1 for configuration share.delivery.count.limit: Value must be at least 2");
        refusals.put("share.delivery.count.limit=11",
                "share.delivery.count.limit must be in the range 2 to 10 inclusive.");
        refusals.put("share.isolation.level=bad", "Invalid value bad for configuration share.isolation.level: "
                + "String must be one of: read_committed, read_uncommitted");
        refusals.put("streams.num.standby.replicas=5", "streams.num.standby.replicas must be less than or equal to 2");
        refusals.put("streams.rack.aware.assignment.tags=a,a",
                "streams.rack.aware.assignment.tags must not contain duplicate tag keys.");
        refusals.put("streams.assignor.name=nope", "streams.assignor.name 'nope' is not a registered task "
                + "assignor. Registered assignors are: [sticky].");
        refusals.put("streams.task.offset.interval.ms=10",
                "streams.task.offset.interval.ms must be greater than or equal to 15000");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            String[] setting = refusal.getKey().split("=", 2);
            AlterConfigsResourceResponse response = incremental(true, group("g",
                    config(SET, setting[0], setting[1])));
            assertThat(response.errorCode()).as(refusal.getKey()).isEqualTo(Errors.INVALID_CONFIG.code());
            assertThat(response.errorMessage()).as(refusal.getKey()).isEqualTo(refusal.getValue());
        }
        AlterConfigsResourceResponse append = incremental(group("g",
                config(APPEND, "streams.rack.aware.assignment.tags", "x")));
        assertThat(append.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(append.errorMessage()).isEqualTo(
                "Can't APPEND to key streams.rack.aware.assignment.tags because its type is not LIST.");
        AlterConfigsResourceResponse defaultGroup = incremental(group("",
                config(SET, "consumer.session.timeout.ms", "50000")));
        assertThat(defaultGroup.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(defaultGroup.errorMessage()).isEqualTo("Default group resources are not allowed.");
        for (String accepted : List.of("consumer.heartbeat.interval.ms=15000",
                "share.auto.offset.reset=by_duration:PT1H",
                "streams.rack.aware.assignment.tags=a,b", "streams.assignor.name=sticky",
                "consumer.assignor.offload.enable=true", "errors.deadletterqueue.topic.name=dlq")) {
            String[] setting = accepted.split("=", 2);
            assertThat(incremental(true, group("g", config(SET, setting[0], setting[1]))).errorCode())
                    .as(accepted).isZero();
        }
        assertThat(controller.records).isEmpty();
    }

    @Test
    void theSessionTimeoutMustStayAboveTheHeartbeatInterval() throws Exception {
        ImageConfigResolver wide = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of(
                "node.id", "1", "process.roles", "broker,controller",
                "group.consumer.min.session.timeout.ms", "10000",
                "group.consumer.max.heartbeat.interval.ms", "30000"))), 1);
        alter = new AlterConfigsHandlers(new ControllerApis(controller, null, new ConfigControl(wide), null, null,
                java.time.InstantSource.system()), 1,
                new AlterConfigsHandlersTest.MemoryLoggers());
        AlterConfigsResourceResponse both = incremental(group("g", config(SET, "consumer.session.timeout.ms",
                "20000"), config(SET, "consumer.heartbeat.interval.ms", "20000")));
        assertThat(both.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(both.errorMessage()).isEqualTo(
                "consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms");
        assertThat(incremental(group("g", config(SET, "consumer.session.timeout.ms", "20000"))).errorCode())
                .isZero();
        // Against the stored session timeout.
        assertThat(incremental(group("g", config(SET, "consumer.heartbeat.interval.ms", "25000"))).errorMessage())
                .isEqualTo("consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms");
        assertThat(incremental(group("g", config(SET, "consumer.heartbeat.interval.ms", "19000"))).errorCode())
                .isZero();
    }

    @Test
    void legacyAlterConfigsReplacesAGroupsOverrides() throws Exception {
        assertThat(incremental(group("g", config(SET, "consumer.session.timeout.ms", "50000"),
                config(SET, "share.delivery.count.limit", "3"))).errorCode()).isZero();
        AlterConfigsRequestData request = new AlterConfigsRequestData();
        AlterConfigsRequestData.AlterConfigsResource good = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(GROUP).setResourceName("g");
        good.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("consumer.heartbeat.interval.ms")
                .setValue("7000"));
        AlterConfigsRequestData.AlterConfigsResource bad = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(GROUP).setResourceName("h");
        bad.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("consumer.session.timeout.ms")
                .setValue("5"));
        request.resources().add(good);
        request.resources().add(bad);
        AlterConfigsResponseData response = (AlterConfigsResponseData) alter.alterConfigsHandler().handle(null,
                new DecodedRequest(ApiKey.ALTER_CONFIGS, (short) 2, 1, "test", (short) 2, request, 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(response.responses().get(0).errorCode()).isZero();
        assertThat(response.responses().get(1).errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(response.responses().get(1).errorMessage())
                .isEqualTo("consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive.");
        assertThat(cache.image().groupConfig("g")).isEqualTo(Map.of("consumer.heartbeat.interval.ms", "7000"));
        assertThat(cache.image().groupConfig("h")).isEmpty();
    }
}
