package io.fjord.bench.fuzz;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;

/**
 * Builds the administrative requests (CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs,
 * IncrementalAlterConfigs, AlterConfigs) and the SASL ones at a given version. Topic administration plays with
 * scratch topics; config changes touch topic configs of the fuzz topics and harmless broker settings (the health
 * check's topic keeps its own overrides). Not thread-safe (one per generator).
 */
final class AdminRequests {
    private static final byte TOPIC = 2;
    private static final byte BROKER = 4;
    private static final byte BROKER_LOGGER = 8;
    private static final List<String> TOPIC_CONFIGS = List.of("retention.ms", "retention.bytes", "segment.bytes",
            "cleanup.policy", "max.message.bytes", "compression.type", "min.cleanable.dirty.ratio",
            "message.timestamp.type", "segment.ms", "unknown.config");
    private static final List<String> BROKER_CONFIGS = List.of("log.cleaner.threads", "log.retention.ms",
            "log.cleaner.backoff.ms", "compression.type", "log.flush.interval.messages", "unknown.config");
    private static final List<String> VALUES = List.of("1", "0", "-1", "100", "compact", "delete", "gzip", "zstd",
            "0.5", "CreateTime", "9223372036854775807", "abc");
    private static final List<String> LOGGERS = List.of("root", "io.fjord.broker", "io.fjord.storage");
    private static final List<String> LEVELS = List.of("INFO", "WARN", "ERROR", "DEBUG", "BOGUS");

    private final FuzzContext context;

    AdminRequests(FuzzContext context) {
        this.context = context;
    }

    private static String scratchTopic(FuzzValues values) {
        return values.string(FuzzContext.SCRATCH_TOPICS);
    }

    CreateTopicsRequestData createTopics(short version, FuzzValues values) {
        CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
        int count = 1 + values.count(values.hostile() ? 4 : 1);
        for (int index = 0; index < count; index++) {
            CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic()
                    .setName(scratchTopic(values))
                    .setNumPartitions(values.chance(0.1) ? -1 : values.claimedCount(values.between(1, 4)))
                    .setReplicationFactor(values.chance(0.1) ? (short) -1 : values.int16((short) 1));
            if (values.chance(0.1)) {
                CreateTopicsRequestData.CreatableReplicaAssignmentCollection assignments =
                        new CreateTopicsRequestData.CreatableReplicaAssignmentCollection();
                assignments.add(new CreateTopicsRequestData.CreatableReplicaAssignment().setPartitionIndex(0)
                        .setBrokerIds(List.of(values.int32(context.nodeId()))));
                topic.setNumPartitions(-1).setReplicationFactor((short) -1).setAssignments(assignments);
            }
            if (values.chance(0.3)) {
                CreateTopicsRequestData.CreatableTopicConfigCollection configs =
                        new CreateTopicsRequestData.CreatableTopicConfigCollection();
                configs.add(new CreateTopicsRequestData.CreatableTopicConfig().setName(values.pick(TOPIC_CONFIGS))
                        .setValue(values.chance(0.1) ? null : values.string(VALUES)));
                topic.setConfigs(configs);
            }
            if (topics.find(topic.name()) == null) {
                topics.add(topic);
            }
        }
        CreateTopicsRequestData data = new CreateTopicsRequestData().setTopics(topics)
                .setTimeoutMs(values.timeoutMs());
        if (version >= 1) {
            data.setValidateOnly(values.chance(0.2));
        }
        return data;
    }

    DeleteTopicsRequestData deleteTopics(short version, FuzzValues values) {
        DeleteTopicsRequestData data = new DeleteTopicsRequestData().setTimeoutMs(values.timeoutMs());
        int count = values.count(values.hostile() ? 5 : 1);
        if (version >= 6) {
            List<DeleteTopicsRequestData.DeleteTopicState> topics = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                DeleteTopicsRequestData.DeleteTopicState topic = new DeleteTopicsRequestData.DeleteTopicState();
                if (values.chance(0.8)) {
                    topic.setName(scratchTopic(values));
                } else {
                    topic.setTopicId(values.uuid(List.of()));
                }
                topics.add(topic);
            }
            return data.setTopics(topics);
        }
        List<String> names = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            names.add(scratchTopic(values));
        }
        return data.setTopicNames(names);
    }

    CreatePartitionsRequestData createPartitions(FuzzValues values) {
        CreatePartitionsRequestData.CreatePartitionsTopicCollection topics =
                new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
        int count = values.count(2);
        for (int index = 0; index < count; index++) {
            int partitions = values.claimedCount(values.between(1, 6));
            CreatePartitionsRequestData.CreatePartitionsTopic topic =
                    new CreatePartitionsRequestData.CreatePartitionsTopic().setName(scratchTopic(values))
                            .setCount(partitions);
            if (values.chance(0.1)) {
                topic.setAssignments(List.of(new CreatePartitionsRequestData.CreatePartitionsAssignment()
                        .setBrokerIds(List.of(values.int32(context.nodeId())))));
            }
            if (topics.find(topic.name()) == null) {
                topics.add(topic);
            }
        }
        return new CreatePartitionsRequestData().setTopics(topics).setTimeoutMs(values.timeoutMs())
                .setValidateOnly(values.chance(0.3));
    }

    DescribeConfigsRequestData describeConfigs(short version, FuzzValues values) {
        List<DescribeConfigsRequestData.DescribeConfigsResource> resources = new ArrayList<>();
        int count = values.count(values.hostile() ? 8 : 3);
        for (int index = 0; index < count; index++) {
            byte type = resourceType(values);
            resources.add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(type)
                    .setResourceName(resourceName(type, values))
                    .setConfigurationKeys(values.chance(0.6) ? null : List.of(values.pick(TOPIC_CONFIGS))));
        }
        DescribeConfigsRequestData data = new DescribeConfigsRequestData().setResources(resources);
        if (version >= 1) {
            data.setIncludeSynonyms(values.chance(0.5));
        }
        if (version >= 3) {
            data.setIncludeDocumentation(values.chance(0.5));
        }
        return data;
    }

    IncrementalAlterConfigsRequestData incrementalAlterConfigs(FuzzValues values) {
        IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources =
                new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
        int count = values.count(2);
        for (int index = 0; index < count; index++) {
            byte type = resourceType(values);
            IncrementalAlterConfigsRequestData.AlterableConfigCollection configs =
                    new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
            int configCount = 1 + values.count(2);
            for (int config = 0; config < configCount; config++) {
                IncrementalAlterConfigsRequestData.AlterableConfig entry =
                        new IncrementalAlterConfigsRequestData.AlterableConfig().setName(configName(type, values))
                                .setConfigOperation(values.int8((byte) values.nextInt(4)))
                                .setValue(values.chance(0.1) ? null : configValue(type, values));
                if (configs.find(entry.name(), entry.configOperation()) == null) {
                    configs.add(entry);
                }
            }
            IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                    new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(type)
                            .setResourceName(resourceName(type, values)).setConfigs(configs);
            if (resources.find(resource.resourceType(), resource.resourceName()) == null) {
                resources.add(resource);
            }
        }
        return new IncrementalAlterConfigsRequestData().setResources(resources).setValidateOnly(values.chance(0.3));
    }

    AlterConfigsRequestData alterConfigs(FuzzValues values) {
        AlterConfigsRequestData.AlterConfigsResourceCollection resources =
                new AlterConfigsRequestData.AlterConfigsResourceCollection();
        int count = values.count(2);
        for (int index = 0; index < count; index++) {
            byte type = resourceType(values);
            AlterConfigsRequestData.AlterableConfigCollection configs =
                    new AlterConfigsRequestData.AlterableConfigCollection();
            int configCount = values.count(2);
            for (int config = 0; config < configCount; config++) {
                AlterConfigsRequestData.AlterableConfig entry = new AlterConfigsRequestData.AlterableConfig()
                        .setName(configName(type, values)).setValue(values.chance(0.1) ? null : configValue(type,
                                values));
                if (configs.find(entry.name()) == null) {
                    configs.add(entry);
                }
            }
            AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(type).setResourceName(resourceName(type, values)).setConfigs(configs);
            if (resources.find(resource.resourceType(), resource.resourceName()) == null) {
                resources.add(resource);
            }
        }
        return new AlterConfigsRequestData().setResources(resources).setValidateOnly(values.chance(0.3));
    }

    SaslHandshakeRequestData saslHandshake(FuzzValues values) {
        return new SaslHandshakeRequestData().setMechanism(values.string(List.of("PLAIN", "SCRAM-SHA-512", "GSSAPI")));
    }

    SaslAuthenticateRequestData saslAuthenticate(FuzzValues values) {
        return new SaslAuthenticateRequestData().setAuthBytes(values.bytes(100));
    }

    private static byte resourceType(FuzzValues values) {
        if (values.hostile()) {
            return values.int8(TOPIC);
        }
        return values.pick(List.of(TOPIC, TOPIC, BROKER, BROKER_LOGGER));
    }

    private String resourceName(byte type, FuzzValues values) {
        return switch (type) {
            case TOPIC -> values.string(FuzzContext.topicNames());
            case BROKER, BROKER_LOGGER -> values.string(List.of(Integer.toString(context.nodeId()), "",
                    Integer.toString(context.nodeId()), "99"));
            default -> values.string(List.of("x"));
        };
    }

    private static String configName(byte type, FuzzValues values) {
        return switch (type) {
            case BROKER -> values.string(BROKER_CONFIGS);
            case BROKER_LOGGER -> values.string(LOGGERS);
            default -> values.string(TOPIC_CONFIGS);
        };
    }

    private static String configValue(byte type, FuzzValues values) {
        // Broker logger levels stay at WARN and above unless hostile: chatty logging is not what this run measures.
        return type == BROKER_LOGGER ? values.string(LEVELS.subList(0, 3)) : values.string(VALUES);
    }
}
