package io.fjord.bench.fuzz;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;

/**
 * Builds the data-path and describe requests (Produce, Fetch, ListOffsets, DeleteRecords, InitProducerId, Metadata,
 * ApiVersions, DescribeCluster, DescribeTopicPartitions, DescribeProducers, DescribeLogDirs) at a given version, with
 * the field values of a {@link FuzzValues}. Fields a version lacks are left at their defaults, so every message
 * serializes at its version. Not thread-safe (one per generator).
 */
final class DataRequests {
    private final FuzzContext context;
    private final ProducePayloads payloads;

    DataRequests(FuzzContext context, ProducePayloads payloads) {
        this.context = context;
        this.payloads = payloads;
    }

    private String topic(FuzzValues values) {
        return values.string(FuzzContext.topicNames());
    }

    private Uuid topicId(FuzzValues values) {
        return values.uuid(context.topicIds());
    }

    ProduceRequestData produce(short version, FuzzValues values) {
        ProduceRequestData data = new ProduceRequestData()
                .setAcks(values.hostile() ? values.int16((short) 1) : values.pick(List.of((short) 0, (short) 1,
                        (short) -1)))
                .setTimeoutMs(values.timeoutMs());
        if (values.chance(0.1)) {
            data.setTransactionalId(values.nullableString(List.of("fuzz-tx")));
        }
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        int topicCount = 1 + values.count(values.hostile() ? 3 : 1);
        for (int index = 0; index < topicCount; index++) {
            ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData();
            if (version >= 13) {
                topic.setTopicId(topicId(values));
            } else {
                topic.setName(topic(values));
            }
            if (topics.find(topic.name(), topic.topicId()) != null) {
                continue;
            }
            List<ProduceRequestData.PartitionProduceData> partitions = new ArrayList<>();
            int partitionCount = 1 + values.count(values.hostile() ? 3 : 1);
            for (int partition = 0; partition < partitionCount; partition++) {
                partitions.add(new ProduceRequestData.PartitionProduceData().setIndex(values.partition())
                        .setRecords(payloads.records(values)));
            }
            topics.add(topic.setPartitionData(partitions));
        }
        return data.setTopicData(topics);
    }

    FetchRequestData fetch(short version, FuzzValues values) {
        FetchRequestData data = new FetchRequestData()
                .setMaxWaitMs(values.hostile() ? values.anyInt() : values.between(0, 200))
                .setMinBytes(values.int32(values.between(0, 1)))
                .setMaxBytes(values.int32(values.pick(List.of(1 << 20, 50 << 20, 100))))
                .setIsolationLevel(values.int8((byte) values.nextInt(2)));
        int replicaId = values.hostile() ? values.pick(List.of(0, 1, 2, -2, Integer.MAX_VALUE)) : -1;
        if (version >= 15) {
            data.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(replicaId)
                    .setReplicaEpoch(values.int64(-1L)));
        } else {
            data.setReplicaId(replicaId);
        }
        if (version >= 7 && values.chance(0.3)) {
            data.setSessionId(values.int32(0)).setSessionEpoch(values.int32(values.pick(List.of(-1, 0, 1))));
        }
        if (version >= 11) {
            data.setRackId(values.string(List.of("", "rack-a")));
        }
        List<FetchRequestData.FetchTopic> topics = new ArrayList<>();
        int topicCount = values.count(values.hostile() ? 4 : 2);
        for (int index = 0; index < topicCount; index++) {
            FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic();
            if (version >= 13) {
                topic.setTopicId(topicId(values));
            } else {
                topic.setTopic(topic(values));
            }
            List<FetchRequestData.FetchPartition> partitions = new ArrayList<>();
            int partitionCount = 1 + values.count(2);
            for (int partition = 0; partition < partitionCount; partition++) {
                FetchRequestData.FetchPartition fetchPartition = new FetchRequestData.FetchPartition()
                        .setPartition(values.partition()).setFetchOffset(values.int64(values.between(0, 20)))
                        .setPartitionMaxBytes(values.int32(1 << 20))
                        .setCurrentLeaderEpoch(values.int32(-1)).setLogStartOffset(values.int64(-1L));
                if (version >= 12) {
                    fetchPartition.setLastFetchedEpoch(values.int32(-1));
                }
                partitions.add(fetchPartition);
            }
            topics.add(topic.setPartitions(partitions));
        }
        data.setTopics(topics);
        if (version >= 7 && values.chance(0.2)) {
            FetchRequestData.ForgottenTopic forgotten = new FetchRequestData.ForgottenTopic()
                    .setPartitions(List.of(values.partition()));
            if (version >= 13) {
                forgotten.setTopicId(topicId(values));
            } else {
                forgotten.setTopic(topic(values));
            }
            data.setForgottenTopicsData(List.of(forgotten));
        }
        return data;
    }

    ListOffsetsRequestData listOffsets(short version, FuzzValues values) {
        List<ListOffsetsRequestData.ListOffsetsTopic> topics = new ArrayList<>();
        int topicCount = values.count(3);
        for (int index = 0; index < topicCount; index++) {
            List<ListOffsetsRequestData.ListOffsetsPartition> partitions = new ArrayList<>();
            int partitionCount = 1 + values.count(2);
            for (int partition = 0; partition < partitionCount; partition++) {
                partitions.add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(values.partition())
                        .setCurrentLeaderEpoch(values.int32(-1))
                        .setTimestamp(values.int64(values.pick(List.of(-1L, -2L, -3L, -4L, 0L,
                                1_767_225_600_000L)))));
            }
            topics.add(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic(values))
                    .setPartitions(partitions));
        }
        ListOffsetsRequestData data = new ListOffsetsRequestData().setReplicaId(values.int32(-1)).setTopics(topics)
                .setTimeoutMs(values.timeoutMs());
        if (version >= 2) {
            data.setIsolationLevel(values.int8((byte) values.nextInt(2)));
        }
        return data;
    }

    DeleteRecordsRequestData deleteRecords(FuzzValues values) {
        List<DeleteRecordsRequestData.DeleteRecordsTopic> topics = new ArrayList<>();
        int topicCount = values.count(2);
        for (int index = 0; index < topicCount; index++) {
            topics.add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName(topic(values)).setPartitions(List.of(
                    new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(values.partition())
                            .setOffset(values.int64(values.pick(List.of(-1L, 0L, 1L, 5L)))))));
        }
        return new DeleteRecordsRequestData().setTopics(topics).setTimeoutMs(values.timeoutMs());
    }

    InitProducerIdRequestData initProducerId(short version, FuzzValues values) {
        InitProducerIdRequestData data = new InitProducerIdRequestData()
                .setTransactionalId(values.chance(0.8) ? null : values.nullableString(List.of("fuzz-tx")))
                .setTransactionTimeoutMs(values.int32(60_000));
        if (version >= 3) {
            data.setProducerId(values.int64(-1L)).setProducerEpoch(values.int16((short) -1));
        }
        if (version >= 6 && values.hostile()) {
            data.setEnable2Pc(values.chance(0.5)).setKeepPreparedTxn(values.chance(0.5));
        }
        return data;
    }

    MetadataRequestData metadata(short version, FuzzValues values) {
        MetadataRequestData data = new MetadataRequestData();
        if (version >= 1 && values.chance(0.2)) {
            data.setTopics(null);
        } else {
            List<MetadataRequestData.MetadataRequestTopic> topics = new ArrayList<>();
            int topicCount = values.count(values.hostile() ? 20 : 3);
            for (int index = 0; index < topicCount; index++) {
                MetadataRequestData.MetadataRequestTopic topic = new MetadataRequestData.MetadataRequestTopic();
                if (version >= 10 && values.chance(0.3)) {
                    topic.setTopicId(topicId(values)).setName(null);
                } else {
                    topic.setName(values.string(FuzzContext.SCRATCH_TOPICS));
                }
                topics.add(topic);
            }
            data.setTopics(topics);
        }
        if (version >= 4) {
            data.setAllowAutoTopicCreation(values.chance(0.3));
        }
        if (version >= 8) {
            data.setIncludeTopicAuthorizedOperations(values.chance(0.5));
            if (version <= 10) {
                data.setIncludeClusterAuthorizedOperations(values.chance(0.5));
            }
        }
        return data;
    }

    ApiVersionsRequestData apiVersions(short version, FuzzValues values) {
        ApiVersionsRequestData data = new ApiVersionsRequestData();
        if (version >= 3) {
            data.setClientSoftwareName(values.string(List.of("fjord-fuzz", "a-b.c")))
                    .setClientSoftwareVersion(values.string(List.of("1.0", "0")));
        }
        if (version >= 5) {
            data.setClusterId(values.nullableString(List.of("fuzz"))).setNodeId(values.int32(-1));
        }
        return data;
    }

    DescribeClusterRequestData describeCluster(short version, FuzzValues values) {
        DescribeClusterRequestData data = new DescribeClusterRequestData()
                .setIncludeClusterAuthorizedOperations(values.chance(0.5));
        if (version >= 1) {
            data.setEndpointType(values.int8((byte) 1));
        }
        if (version >= 2) {
            data.setIncludeFencedBrokers(values.chance(0.5));
        }
        return data;
    }

    DescribeTopicPartitionsRequestData describeTopicPartitions(FuzzValues values) {
        List<DescribeTopicPartitionsRequestData.TopicRequest> topics = new ArrayList<>();
        int topicCount = values.count(values.hostile() ? 10 : 3);
        for (int index = 0; index < topicCount; index++) {
            topics.add(new DescribeTopicPartitionsRequestData.TopicRequest().setName(topic(values)));
        }
        DescribeTopicPartitionsRequestData data = new DescribeTopicPartitionsRequestData().setTopics(topics)
                .setResponsePartitionLimit(values.claimedCount(values.between(1, 2000)));
        if (values.chance(0.3)) {
            data.setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName(topic(values))
                    .setPartitionIndex(values.partition()));
        }
        return data;
    }

    DescribeProducersRequestData describeProducers(FuzzValues values) {
        DescribeProducersRequestData.TopicRequestCollection topics =
                new DescribeProducersRequestData.TopicRequestCollection();
        int topicCount = values.count(3);
        for (int index = 0; index < topicCount; index++) {
            DescribeProducersRequestData.TopicRequest topic = new DescribeProducersRequestData.TopicRequest()
                    .setName(topic(values)).setPartitionIndexes(List.of(values.partition(), values.partition()));
            if (topics.find(topic.name()) == null) {
                topics.add(topic);
            }
        }
        return new DescribeProducersRequestData().setTopics(topics);
    }

    DescribeLogDirsRequestData describeLogDirs(FuzzValues values) {
        if (values.chance(0.3)) {
            return new DescribeLogDirsRequestData().setTopics(null);
        }
        DescribeLogDirsRequestData.DescribableLogDirTopicCollection topics =
                new DescribeLogDirsRequestData.DescribableLogDirTopicCollection();
        int topicCount = values.count(3);
        for (int index = 0; index < topicCount; index++) {
            DescribeLogDirsRequestData.DescribableLogDirTopic topic =
                    new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic(topic(values))
                            .setPartitions(List.of(values.partition()));
            if (topics.find(topic.topic()) == null) {
                topics.add(topic);
            }
        }
        return new DescribeLogDirsRequestData().setTopics(topics);
    }
}
