package io.fjord.broker.handlers;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.LoggerLevels;
import io.fjord.broker.MetadataCache;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.config.ConfigSource;
import io.fjord.broker.config.DescribedConfig;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeConfigsRequestData;
import io.fjord.protocol.message.DescribeConfigsResponseData;
import io.fjord.protocol.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import io.fjord.protocol.message.DescribeConfigsResponseData.DescribeConfigsResult;
import io.fjord.protocol.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DescribeConfigs for topics (type 2), brokers (type 4) and groups (type 32): every config with its effective value,
 * source, read-only and sensitive flags, type, and, when asked, synonyms and documentation, as Kafka answers. A broker
 * resource names this node's id, or "" for the cluster-wide defaults; values come from the current image's dynamic
 * broker configs over {@code server.properties}. Broker loggers (type 8) are every logger with its effective level.
 * A group resource (any group id, existing or not, as in Kafka) shows the group configs: its overrides from the
 * image, else the broker's {@code group.*} settings. Thread-safe.
 */
public final class DescribeConfigsHandler implements ApiHandler {
    private static final byte TOPIC = 2;
    private static final byte BROKER = 4;
    private static final byte BROKER_LOGGER = 8;
    private static final byte GROUP = 32;

    private final MetadataCache cache;
    private final ImageConfigResolver configs;
    private final LoggerLevels loggers;

    public DescribeConfigsHandler(MetadataCache cache, ImageConfigResolver configs, LoggerLevels loggers) {
        this.cache = cache;
        this.configs = configs;
        this.loggers = loggers;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        DescribeConfigsRequestData body = (DescribeConfigsRequestData) request.body();
        MetadataImage image = cache.image();
        ConfigResolver resolver = configs.resolve(image);
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : body.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            response.results().add(result);
            List<DescribedConfig> described;
            if (resource.resourceType() == TOPIC) {
                if (image.topic(resource.resourceName()).isEmpty()) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("Topic '" + resource.resourceName() + "' does not exist.");
                    continue;
                }
                described = resolver.describeTopic(image.topicConfig(resource.resourceName()));
            } else if (resource.resourceType() == BROKER) {
                if (resource.resourceName().isEmpty()) {
                    described = resolver.describeBrokerDefaults();
                } else if (!isInteger(resource.resourceName())) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code())
                            .setErrorMessage("Broker id must be an integer, but it is: " + resource.resourceName());
                    continue;
                } else if (Integer.parseInt(resource.resourceName()) == cache.nodeId()) {
                    described = resolver.describeBroker();
                } else {
                    result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Unexpected broker id, expected "
                            + cache.nodeId() + " or empty string, but received " + resource.resourceName());
                    continue;
                }
            } else if (resource.resourceType() == GROUP) {
                if (resource.resourceName().isEmpty()) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Group name must not be empty");
                    continue;
                }
                described = resolver.describeGroup(image.groupConfig(resource.resourceName()));
            } else if (resource.resourceType() == BROKER_LOGGER) {
                describeLoggers(resource, result);
                continue;
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Unsupported resource type " + resource.resourceType());
                continue;
            }
            for (DescribedConfig config : described) {
                if (resource.configurationKeys() != null && !resource.configurationKeys().contains(config.name())) {
                    continue;
                }
                DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult().setName(config.name())
                        .setValue(config.value()).setReadOnly(config.readOnly()).setConfigSource(config.source().id())
                        .setIsSensitive(config.sensitive()).setConfigType(config.type().id())
                        .setDocumentation(body.includeDocumentation() ? config.documentation() : null);
                if (body.includeSynonyms()) {
                    for (DescribedConfig.Synonym synonym : config.synonyms()) {
                        entry.synonyms().add(new DescribeConfigsSynonym().setName(synonym.name())
                                .setValue(synonym.value()).setSource(synonym.source().id()));
                    }
                }
                result.configs().add(entry);
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    /** Kafka's answer for a BROKER_LOGGER resource: this node's loggers, source DYNAMIC_BROKER_LOGGER_CONFIG. */
    private void describeLoggers(DescribeConfigsRequestData.DescribeConfigsResource resource,
                                 DescribeConfigsResult result) {
        String name = resource.resourceName();
        String error = null;
        if (name.isEmpty()) {
            error = "Broker id must not be empty";
        } else if (!isInteger(name)) {
            error = "Broker id must be an integer, but it is: " + name;
        } else if (Integer.parseInt(name) != cache.nodeId()) {
            error = "Unexpected broker id, expected " + cache.nodeId() + " but received " + name;
        }
        if (error != null) {
            result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(error);
            return;
        }
        for (Map.Entry<String, String> logger : loggers.effectiveLevels().entrySet()) {
            if (resource.configurationKeys() == null || resource.configurationKeys().contains(logger.getKey())) {
                result.configs().add(new DescribeConfigsResourceResult().setName(logger.getKey())
                        .setValue(logger.getValue()).setReadOnly(false).setIsSensitive(false)
                        .setConfigSource(ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG.id()));
            }
        }
    }

    private static boolean isInteger(String text) {
        try {
            Integer.parseInt(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
