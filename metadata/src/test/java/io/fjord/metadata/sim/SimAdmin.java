package io.fjord.metadata.sim;

import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopicConfig;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The cluster simulation's admin client for topics: a random CreateTopics (replication factor 1 to 3, some topics
 * allowing unclean elections), DeleteTopics, CreatePartitions, preferred ElectLeaders of every partition or an unclean
 * one of a random partition, decided by the active controller's production classes.
 *
 * <p>Not thread-safe: used by the simulation's one thread, with the simulation's {@link Random}.
 */
final class SimAdmin {
    /** One request: its name for the event log and how the controller decides it from its image. */
    record Request(String name, BiFunction<SimController, MetadataImage, ControllerResult<?>> decide) {
    }

    private final Random random;
    private int topicsCreated;

    SimAdmin(Random random) {
        this.random = random;
    }

    int topicsCreated() {
        return topicsCreated;
    }

    /** A random topic or election request given the active controller's image; null when none applies. */
    Request topicRequest(MetadataImage current) {
        int roll = random.nextInt(100);
        List<TopicImage> topics = new ArrayList<>(new TreeMap<>(current.topicsByName()).values());
        if (roll < 45 || topics.isEmpty()) {
            CreatableTopic topic = new CreatableTopic().setName("topic-" + topicsCreated++)
                    .setNumPartitions(1 + random.nextInt(6)).setReplicationFactor((short) (1 + random.nextInt(3)));
            if (random.nextInt(5) == 0) {
                topic.configs().add(new CreatableTopicConfig().setName(ReplicationControl
                        .UNCLEAN_LEADER_ELECTION_ENABLE).setValue("true"));
            }
            CreateTopicsRequestData request = new CreateTopicsRequestData();
            request.topics().add(topic);
            return new Request("create " + topic.name() + " " + topic.numPartitions() + "x"
                    + topic.replicationFactor(), (controller, image) -> controller.topics.createTopics(image, request));
        }
        TopicImage topic = topics.get(random.nextInt(topics.size()));
        if (roll < 57) {
            return new Request("delete " + topic.name(), (controller, image) -> controller.topics.deleteTopics(image,
                    new DeleteTopicsRequestData().setTopicNames(List.of(topic.name()))));
        }
        if (roll < 75) {
            return new Request("preferred elections", (controller, image) -> controller.replication.electLeaders(
                    image, new ElectLeadersRequestData().setElectionType(ReplicationControl.PREFERRED)
                            .setTopicPartitions(null)));
        }
        if (roll < 87) {
            int partition = random.nextInt(topic.partitionCount());
            ElectLeadersRequestData request = new ElectLeadersRequestData()
                    .setElectionType(ReplicationControl.UNCLEAN);
            request.topicPartitions().add(new ElectLeadersRequestData.TopicPartitions().setTopic(topic.name())
                    .setPartitions(List.of(partition)));
            return new Request("unclean election of " + topic.name() + "-" + partition,
                    (controller, image) -> controller.replication.electLeaders(image, request));
        }
        int count = topic.partitionCount() + 1 + random.nextInt(3);
        CreatePartitionsRequestData request = new CreatePartitionsRequestData();
        request.topics().add(new CreatePartitionsTopic().setName(topic.name()).setCount(count).setAssignments(null));
        return new Request("grow " + topic.name() + " to " + count + " partitions",
                (controller, image) -> controller.topics.createPartitions(image, request));
    }
}
