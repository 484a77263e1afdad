package io.fjord.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.codec.RequestDecoder;
import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.raft.BeginQuorumEpochRequest;
import io.fjord.raft.BeginQuorumEpochResponse;
import io.fjord.raft.EndQuorumEpochRequest;
import io.fjord.raft.EndQuorumEpochResponse;
import io.fjord.raft.EntryType;
import io.fjord.raft.EpochEndOffset;
import io.fjord.raft.FetchRequest;
import io.fjord.raft.FetchResponse;
import io.fjord.raft.FetchSnapshotRequest;
import io.fjord.raft.FetchSnapshotResponse;
import io.fjord.raft.LeaderAndEpoch;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.VoteRequest;
import io.fjord.raft.VoteResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every Raft message through Kafka's wire format and back: node 1 sends, node 2 receives and answers. */
class RaftMessageMapperTest {
    private final RaftMessageMapper node1 = new RaftMessageMapper(1, "cluster", Set.of(1, 2, 3), 1024, 1000,
            "localhost", 9001);
    private final RaftMessageMapper node2 = new RaftMessageMapper(2, "cluster", Set.of(1, 2, 3), 1024, 1000,
            "localhost", 9002);

    private RaftMessage overTheWire(RaftMessage request) throws Exception {
        ApiKey apiKey = RaftMessageMapper.requestApi(request);
        ByteBuffer frame = RequestEncoder.encode(apiKey, RaftApis.requestVersion(apiKey), request.correlationId(),
                "raft-1", node1.toRequest(request));
        frame.getInt();
        DecodedRequest decoded = new RequestDecoder(RaftApis.INSTANCE).decode(frame);
        assertThat(decoded.apiVersion()).isEqualTo(RaftApis.requestVersion(apiKey));
        return node2.fromRequest(decoded.body(), decoded.correlationId());
    }

    private RaftMessage answerOverTheWire(RaftMessage request, RaftMessage response) throws Exception {
        ApiKey apiKey = RaftMessageMapper.requestApi(request);
        short version = RaftApis.requestVersion(apiKey);
        EncodedResponse encoded = ResponseEncoder.encode(apiKey, version, response.correlationId(),
                node2.toResponse(response));
        ByteBuffer all = ByteBuffer.allocate(encoded.sizeBytes());
        encoded.parts().forEach(part -> all.put(((ByteBuffer) part).duplicate()));
        all.flip().getInt();
        ApiMessage body = ResponseDecoder.decode(apiKey, version, all.slice());
        return node1.fromResponse(body, request);
    }

    @Test
    void requestsAndResponsesKeepEveryField() throws Exception {
        VoteRequest vote = new VoteRequest(1, 2, 10, 5, 1, 4, 77, true);
        assertThat(overTheWire(vote)).isEqualTo(vote);
        VoteResponse voteAnswer = new VoteResponse(2, 1, 10, Errors.NONE, 3, 5, true, true);
        assertThat(answerOverTheWire(vote, voteAnswer)).isEqualTo(voteAnswer);

        BeginQuorumEpochRequest begin = new BeginQuorumEpochRequest(1, 2, 11, 1, 6);
        assertThat(overTheWire(begin)).isEqualTo(begin);
        BeginQuorumEpochResponse beginAnswer = new BeginQuorumEpochResponse(2, 1, 11, Errors.FENCED_LEADER_EPOCH, 3, 7);
        assertThat(answerOverTheWire(begin, beginAnswer)).isEqualTo(beginAnswer);

        EndQuorumEpochRequest end = new EndQuorumEpochRequest(1, 2, 12, 1, 6, List.of(2, 3));
        assertThat(overTheWire(end)).isEqualTo(end);
        EndQuorumEpochResponse endAnswer = new EndQuorumEpochResponse(2, 1, 12, Errors.NONE, 1, 6);
        assertThat(answerOverTheWire(end, endAnswer)).isEqualTo(endAnswer);

        FetchRequest fetch = new FetchRequest(1, 2, 13, 1, 6, 40, 5, 38, 4096, 500);
        assertThat(overTheWire(fetch)).isEqualTo(fetch);
        FetchRequest observerFetch = new FetchRequest(4, 2, 15, 4, 6, 40, 5, 38, 4096, 500,
                java.util.UUID.fromString("00000000-0000-0001-0000-000000000004"));
        assertThat(overTheWire(observerFetch)).isEqualTo(observerFetch);
        List<LogEntry> entries = List.of(new LogEntry(40, 6, EntryType.LEADER_CHANGE, new byte[] {0, 0, 0, 2}),
                new LogEntry(41, 6, EntryType.DATA, "payload".getBytes()));
        FetchResponse fetchAnswer = new FetchResponse(2, 1, 13, Errors.NONE, 41, 0, null, new LeaderAndEpoch(2, 6),
                entries);
        assertThat(answerOverTheWire(fetch, fetchAnswer)).isEqualTo(fetchAnswer);
        FetchResponse diverging = new FetchResponse(2, 1, 13, Errors.NONE, 41, 0, new EpochEndOffset(4, 30),
                new LeaderAndEpoch(2, 6), List.of());
        assertThat(answerOverTheWire(fetch, diverging)).isEqualTo(diverging);
        FetchResponse toSnapshot = new FetchResponse(2, 1, 13, Errors.NONE, 120, 100, null, new LeaderAndEpoch(2, 6),
                List.of(), new OffsetAndEpoch(100, 5));
        assertThat(answerOverTheWire(fetch, toSnapshot)).isEqualTo(toSnapshot);

        FetchSnapshotRequest snapshot = new FetchSnapshotRequest(1, 2, 14, 1, 6, new OffsetAndEpoch(100, 5), 0, 1024);
        assertThat(overTheWire(snapshot)).isEqualTo(snapshot);
        FetchSnapshotResponse snapshotAnswer = new FetchSnapshotResponse(2, 1, 14, Errors.SNAPSHOT_NOT_FOUND,
                new OffsetAndEpoch(100, 5), new LeaderAndEpoch(2, 6), -1, 0, new byte[0]);
        FetchSnapshotResponse received = (FetchSnapshotResponse) answerOverTheWire(snapshot, snapshotAnswer);
        assertThat(received.error()).isEqualTo(Errors.SNAPSHOT_NOT_FOUND);
        assertThat(received.snapshotId()).isEqualTo(snapshotAnswer.snapshotId());
        assertThat(received.currentLeader()).isEqualTo(snapshotAnswer.currentLeader());
        assertThat(received.unalignedRecords()).isEmpty();
        FetchSnapshotResponse chunk = new FetchSnapshotResponse(2, 1, 14, Errors.NONE, new OffsetAndEpoch(100, 5),
                new LeaderAndEpoch(2, 6), 3000, 0, new byte[] {1, 2, 3});
        FetchSnapshotResponse chunkReceived = (FetchSnapshotResponse) answerOverTheWire(snapshot, chunk);
        assertThat(chunkReceived.unalignedRecords()).containsExactly(1, 2, 3);
        assertThat(chunkReceived.size()).isEqualTo(3000);
        assertThat(chunkReceived.position()).isZero();
    }

    @Test
    void voterChangesFromAnAdminClientMapToTheCoresRequestsAndAnswers() {
        java.util.UUID directory = java.util.UUID.fromString("00000000-0000-0001-0000-000000000004");
        io.fjord.raft.AddRaftVoterRequest add = (io.fjord.raft.AddRaftVoterRequest) node2.fromRequest(
                new io.fjord.protocol.message.AddRaftVoterRequestData().setClusterId("cluster").setTimeoutMs(3000)
                        .setVoterId(4).setVoterDirectoryId(directory).setAckWhenCommitted(true), 21);
        assertThat(add).isEqualTo(new io.fjord.raft.AddRaftVoterRequest(RaftMessageMapper.ADMIN_SOURCE_ID, 2, 21,
                3000, 4, directory, true));
        io.fjord.protocol.message.AddRaftVoterResponseData added =
                (io.fjord.protocol.message.AddRaftVoterResponseData) node2.toResponse(
                        new io.fjord.raft.AddRaftVoterResponse(2, RaftMessageMapper.ADMIN_SOURCE_ID, 21,
                                Errors.DUPLICATE_VOTER, "already a voter"));
        assertThat(added.errorCode()).isEqualTo(Errors.DUPLICATE_VOTER.code());
        assertThat(added.errorMessage()).isEqualTo("already a voter");

        io.fjord.raft.RemoveRaftVoterRequest remove = (io.fjord.raft.RemoveRaftVoterRequest) node2.fromRequest(
                new io.fjord.protocol.message.RemoveRaftVoterRequestData().setClusterId("cluster").setVoterId(3)
                        .setVoterDirectoryId(directory), 22);
        assertThat(remove).isEqualTo(new io.fjord.raft.RemoveRaftVoterRequest(RaftMessageMapper.ADMIN_SOURCE_ID, 2,
                22, 3, directory));
        assertThat(((io.fjord.protocol.message.RemoveRaftVoterResponseData) node2.toResponse(
                new io.fjord.raft.RemoveRaftVoterResponse(2, RaftMessageMapper.ADMIN_SOURCE_ID, 22, Errors.NONE,
                        null))).errorCode()).isZero();
        assertThatThrownBy(() -> node2.fromRequest(new io.fjord.protocol.message.RemoveRaftVoterRequestData()
                .setClusterId("other").setVoterId(3), 23)).isInstanceOf(InvalidRaftMessageException.class);
    }

    @Test
    void aFetchNamesTheMetadataTopicByKafkasTopicIdAndReplicaState() {
        FetchRequestData wire = (FetchRequestData) node1.toRequest(new FetchRequest(1, 2, 13, 1, 6, 40, 5, 38, 4096,
                500));
        assertThat(wire.topics().get(0).topicId()).isEqualTo(new UUID(0, 1));
        assertThat(wire.replicaState().replicaId()).isEqualTo(1);
        assertThat(wire.clusterId()).isEqualTo("cluster");
    }

    @Test
    void anotherClustersRequestIsRefusedWithInconsistentClusterId() {
        RaftMessageMapper stranger = new RaftMessageMapper(1, "other", Set.of(1, 2, 3), 1024, 1000, "localhost", 1);
        ApiMessage wire = stranger.toRequest(new VoteRequest(1, 2, 10, 5, 1, 4, 77, false));
        assertThatThrownBy(() -> node2.fromRequest(wire, 10)).isInstanceOfSatisfying(
                InvalidRaftMessageException.class, e -> assertThat(e.error()).isEqualTo(Errors.INCONSISTENT_CLUSTER_ID));
    }
}
