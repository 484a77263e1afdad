package io.fjord.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.DescribeQuorumRequestData;
import io.fjord.protocol.message.DescribeQuorumResponseData;
import io.fjord.protocol.message.VoteResponseData;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.VoteRequest;
import io.fjord.raft.driver.QuorumDescription;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The listener side of the transport, spoken to with plain sockets. */
class RaftTransportTest {
    private final List<RaftMessage> received = new CopyOnWriteArrayList<>();
    private RaftTransport transport;

    @BeforeEach
    void start() throws InterruptedException {
        InetSocketAddress own = new InetSocketAddress("127.0.0.1", 0);
        TransportConfig config = new TransportConfig(own, Map.of(2, own), "cluster", 1024 * 1024, 16, 16, 50, 1000,
                5000, 1);
        RaftMessageMapper mapper = new RaftMessageMapper(2, "cluster", Set.of(1, 2, 3), 1024, 1000, "127.0.0.1", 0);
        transport = new RaftTransport(2, config, mapper, received::add, () -> CompletableFuture.completedFuture(
                new QuorumDescription(2, 7, 40, List.of(new QuorumDescription.Replica(2, 41),
                        new QuorumDescription.Replica(1, 40)), List.of())));
        transport.start();
    }

    @AfterEach
    void stop() {
        transport.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(transport.boundAddress(), 5000);
        socket.setSoTimeout(5000);
        return socket;
    }

    private static ByteBuffer readFrame(Socket socket) throws IOException {
        DataInputStream input = new DataInputStream(socket.getInputStream());
        byte[] frame = new byte[input.readInt()];
        input.readFully(frame);
        return ByteBuffer.wrap(frame);
    }

    private static void write(Socket socket, ByteBuffer frame) throws IOException {
        OutputStream output = socket.getOutputStream();
        output.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        output.flush();
    }

    @Test
    void aVoteRequestReachesTheNodeAndItsResponseGoesBackOnTheSameConnection() throws Exception {
        RaftMessageMapper peer = new RaftMessageMapper(1, "cluster", Set.of(1, 2, 3), 1024, 1000, "127.0.0.1", 1);
        VoteRequest vote = new VoteRequest(1, 2, 33, 5, 1, 4, 77, false);
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.VOTE, (short) 2, 33, "raft-1", peer.toRequest(vote)));
            org.awaitility.Awaitility.await().until(() -> received.contains(vote));
            transport.send(new io.fjord.raft.VoteResponse(2, 1, 33, Errors.NONE, -1, 5, true, false));

            ByteBuffer frame = readFrame(socket);
            assertThat(ResponseDecoder.correlationId(frame)).isEqualTo(33);
            VoteResponseData answer = (VoteResponseData) ResponseDecoder.decode(ApiKey.VOTE, (short) 2, frame);
            assertThat(answer.topics().get(0).partitions().get(0).voteGranted()).isTrue();
        }
    }

    @Test
    void anAdminsAddRaftVoterReachesTheNodeAndItsAnswerGoesBackOnTheSameConnection() throws Exception {
        java.util.UUID directory = java.util.UUID.randomUUID();
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.ADD_RAFT_VOTER, (short) 1, 44, "admin",
                    new io.fjord.protocol.message.AddRaftVoterRequestData().setClusterId("cluster")
                            .setTimeoutMs(1000).setVoterId(4).setVoterDirectoryId(directory)
                            .setAckWhenCommitted(true)));
            io.fjord.raft.AddRaftVoterRequest add = org.awaitility.Awaitility.await().until(() -> received.stream()
                    .filter(message -> message instanceof io.fjord.raft.AddRaftVoterRequest)
                    .map(io.fjord.raft.AddRaftVoterRequest.class::cast).findFirst().orElse(null),
                    request -> request != null);
            assertThat(add.voterId()).isEqualTo(4);
            assertThat(add.voterDirectoryId()).isEqualTo(directory);
            // The connection's own source id (no replica's), so two admins' answers cannot be swapped.
            assertThat(add.source()).isLessThanOrEqualTo(-1000);
            transport.send(new io.fjord.raft.AddRaftVoterResponse(2, add.source(), 44, Errors.REQUEST_TIMED_OUT,
                    null));

            ByteBuffer frame = readFrame(socket);
            assertThat(ResponseDecoder.correlationId(frame)).isEqualTo(44);
            var answer = (io.fjord.protocol.message.AddRaftVoterResponseData) ResponseDecoder.decode(
                    ApiKey.ADD_RAFT_VOTER, (short) 1, frame);
            assertThat(answer.errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
        }
    }

    @Test
    void describeQuorumIsAnsweredFromTheLeadersView() throws Exception {
        DescribeQuorumRequestData request = new DescribeQuorumRequestData().setTopics(List.of(
                new DescribeQuorumRequestData.TopicData().setTopicName("__cluster_metadata").setPartitions(List.of(
                        new DescribeQuorumRequestData.PartitionData().setPartitionIndex(0)))));
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.DESCRIBE_QUORUM, (short) 2, 5, "admin", request));
            DescribeQuorumResponseData response = (DescribeQuorumResponseData) ResponseDecoder.decode(
                    ApiKey.DESCRIBE_QUORUM, (short) 2, readFrame(socket));
            DescribeQuorumResponseData.PartitionData partition = response.topics().get(0).partitions().get(0);
            assertThat(partition.leaderId()).isEqualTo(2);
            assertThat(partition.leaderEpoch()).isEqualTo(7);
            assertThat(partition.highWatermark()).isEqualTo(40);
            assertThat(partition.currentVoters()).extracting(DescribeQuorumResponseData.ReplicaState::replicaId)
                    .containsExactly(2, 1);
            assertThat(response.nodes()).hasSize(1);
        }
    }

    @Test
    void apiVersionsListsTheRaftApis() throws Exception {
        try (Socket socket = connect()) {
            write(socket, RequestEncoder.encode(ApiKey.API_VERSIONS, (short) 3, 6, "admin",
                    new io.fjord.protocol.message.ApiVersionsRequestData().setClientSoftwareName("test")
                            .setClientSoftwareVersion("1")));
            io.fjord.protocol.message.ApiVersionsResponseData response =
                    (io.fjord.protocol.message.ApiVersionsResponseData) ResponseDecoder.decode(ApiKey.API_VERSIONS,
                            (short) 3, readFrame(socket));
            assertThat(response.apiKeys()).extracting(key -> ApiKey.forId(key.apiKey())).contains(ApiKey.VOTE,
                    ApiKey.BEGIN_QUORUM_EPOCH, ApiKey.END_QUORUM_EPOCH, ApiKey.FETCH, ApiKey.FETCH_SNAPSHOT,
                    ApiKey.DESCRIBE_QUORUM, ApiKey.ADD_RAFT_VOTER, ApiKey.REMOVE_RAFT_VOTER, ApiKey.UPDATE_RAFT_VOTER);
        }
    }

    @Test
    void aMalformedFrameOrAnOversizedOneClosesTheConnection() throws Exception {
        try (Socket socket = connect()) {
            write(socket, ByteBuffer.allocate(4 + 10).putInt(10).putShort(ApiKey.VOTE.id()).putShort((short) 2)
                    .putInt(1).putShort((short) 7).flip());
            assertClosed(socket);
        }
        try (Socket socket = connect()) {
            write(socket, ByteBuffer.allocate(4).putInt(64 * 1024 * 1024).flip());
            assertClosed(socket);
        }
        assertThat(received).isEmpty();
    }

    private static void assertClosed(Socket socket) throws IOException {
        try {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        } catch (EOFException | java.net.SocketException reset) {
            // closed by the peer
        }
    }
}
