package io.fjord.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.message.AddRaftVoterRequestData;
import io.fjord.protocol.message.AddRaftVoterResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.RemoveRaftVoterRequestData;
import io.fjord.protocol.message.RemoveRaftVoterResponseData;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.driver.QuorumDescription;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listener whose voters are fixed by configuration refuses voter changes, as Kafka's static quorum does; and any
 * listener tells a client that opens with a newer ApiVersions which versions it serves.
 */
class StaticVotersTransportTest {
    private final List<RaftMessage> received = new CopyOnWriteArrayList<>();
    private RaftTransport transport;

    @BeforeEach
    void start() throws InterruptedException {
        InetSocketAddress own = new InetSocketAddress("127.0.0.1", 0);
        TransportConfig config = TransportConfig.withDefaults(own, Map.of(2, own), "cluster").withStaticVoters();
        RaftMessageMapper mapper = new RaftMessageMapper(2, "cluster", Set.of(1, 2, 3), 1024, 1000, "127.0.0.1", 0);
        transport = new RaftTransport(2, config, mapper, received::add, () -> CompletableFuture.completedFuture(
                new QuorumDescription(2, 7, 40, List.of(new QuorumDescription.Replica(2, 41)), List.of())));
        transport.start();
    }

    @AfterEach
    void stop() {
        transport.close();
    }

    private ByteBuffer exchange(ByteBuffer request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(transport.boundAddress(), 5000);
            socket.setSoTimeout(5000);
            OutputStream output = socket.getOutputStream();
            output.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
            output.flush();
            DataInputStream input = new DataInputStream(socket.getInputStream());
            byte[] frame = new byte[input.readInt()];
            input.readFully(frame);
            return ByteBuffer.wrap(frame);
        }
    }

    @Test
    void addingAVoterIsUnsupportedAndNeverReachesTheNode() throws Exception {
        ByteBuffer frame = exchange(RequestEncoder.encode(ApiKey.ADD_RAFT_VOTER, (short) 1, 44, "admin",
                new AddRaftVoterRequestData().setClusterId("cluster").setTimeoutMs(1000).setVoterId(4)
                        .setVoterDirectoryId(UUID.randomUUID()).setAckWhenCommitted(true)));
        AddRaftVoterResponseData answer = (AddRaftVoterResponseData) ResponseDecoder.decode(ApiKey.ADD_RAFT_VOTER,
                (short) 1, frame);
        assertThat(answer.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(answer.errorMessage()).contains("static").contains("KIP-853");
        assertThat(received).isEmpty();
    }

    @Test
    void anApiVersionsRequestNewerThanServedIsAnsweredAtVersionZeroWithTheVersionsServed() throws Exception {
        // Kafka 4.4's clients open with ApiVersions v5; the listener serves up to v4 and must say so, not hang up.
        ByteBuffer frame = exchange(RequestEncoder.encode(ApiKey.API_VERSIONS, (short) 5, 46, "admin",
                new io.fjord.protocol.message.ApiVersionsRequestData().setClientSoftwareName("test")
                        .setClientSoftwareVersion("1")));
        assertThat(ResponseDecoder.correlationId(frame)).isEqualTo(46);
        var answer = (io.fjord.protocol.message.ApiVersionsResponseData) ResponseDecoder.decode(ApiKey.API_VERSIONS,
                (short) 0, frame);
        assertThat(answer.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(answer.apiKeys()).anySatisfy(version -> {
            assertThat(version.apiKey()).isEqualTo(ApiKey.API_VERSIONS.id());
            assertThat(version.maxVersion()).isEqualTo(RaftApis.highestVersion(ApiKey.API_VERSIONS));
        });
    }

    @Test
    void removingAVoterIsUnsupportedAndNeverReachesTheNode() throws Exception {
        ByteBuffer frame = exchange(RequestEncoder.encode(ApiKey.REMOVE_RAFT_VOTER, (short) 0, 45, "admin",
                new RemoveRaftVoterRequestData().setClusterId("cluster").setVoterId(3)
                        .setVoterDirectoryId(UUID.randomUUID())));
        RemoveRaftVoterResponseData answer = (RemoveRaftVoterResponseData) ResponseDecoder.decode(
                ApiKey.REMOVE_RAFT_VOTER, (short) 0, frame);
        assertThat(answer.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(received).isEmpty();
    }
}
