package io.fjord.raft.transport;

import static org.awaitility.Awaitility.await;

import io.fjord.raft.RaftMessage;
import io.fjord.raft.VoteRequest;
import io.fjord.raft.driver.QuorumDescription;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.RepeatedTest;

/** A peer that stops and starts again on the same port is reached again through the same PeerConnection. */
class PeerReconnectTest {

    private static RaftTransport transport(int id, Map<Integer, InetSocketAddress> voters, List<RaftMessage> inbox)
            throws InterruptedException {
        TransportConfig config = new TransportConfig(voters.get(id), voters, "cluster", 1024 * 1024, 64, 64, 20, 200,
                5000, 1);
        RaftMessageMapper mapper = new RaftMessageMapper(id, "cluster", Set.of(1, 2), 1024, 1000, "127.0.0.1",
                voters.get(id).getPort());
        RaftTransport transport = new RaftTransport(id, config, mapper, inbox::add,
                () -> new CompletableFuture<QuorumDescription>());
        transport.start();
        return transport;
    }

    @RepeatedTest(5)
    void aRestartedPeerReceivesRequestsAgain() throws Exception {
        Map<Integer, InetSocketAddress> voters;
        try (ServerSocket one = new ServerSocket(0); ServerSocket two = new ServerSocket(0)) {
            voters = Map.of(1, new InetSocketAddress("127.0.0.1", one.getLocalPort()),
                    2, new InetSocketAddress("127.0.0.1", two.getLocalPort()));
        }
        List<RaftMessage> inboxOne = new CopyOnWriteArrayList<>();
        List<RaftMessage> inboxTwo = new CopyOnWriteArrayList<>();
        RaftTransport one = transport(1, voters, inboxOne);
        RaftTransport two = transport(2, voters, inboxTwo);
        try {
            int[] correlationId = {1};
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                one.send(new VoteRequest(1, 2, correlationId[0]++, 1, 1, 0, 0, true));
                return !inboxTwo.isEmpty();
            });
            two.close();
            inboxTwo.clear();
            two = transport(2, voters, inboxTwo);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                one.send(new VoteRequest(1, 2, correlationId[0]++, 1, 1, 0, 0, true));
                return !inboxTwo.isEmpty();
            });
        } finally {
            one.close();
            two.close();
        }
    }
}
