package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.storage.MetaProperties;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The readiness probe against a real node, a closed port and a peer that answers nonsense. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeReadinessProbeTest {
    private final NodeReadinessProbe probe = new NodeReadinessProbe(10_000);

    @TempDir
    Path data;

    @Test
    void aNodeIsReadyWhenItServesTheExpectedClusterWithEveryExpectedBroker() throws Exception {
        try (FjordNode node = new FjordNode(NodeConfig.fromProperties(Map.of("listeners",
                "PLAINTEXT://127.0.0.1:0", "log.dirs", data.toString(), "num.io.threads", "2")),
                InstantSource.system())) {
            node.start();
            InetSocketAddress address = node.boundAddress("PLAINTEXT");
            String clusterId = MetaProperties.read(data).orElseThrow().clusterId().orElseThrow();

            assertThat(probe.probe(address, clusterId, List.of(1))).isEqualTo(NodeReadinessProbe.Result.READY);
            NodeReadinessProbe.Result missingBroker = probe.probe(address, clusterId, List.of(1, 2));
            assertThat(missingBroker.ready()).isFalse();
            assertThat(missingBroker.reason()).isEqualTo("its metadata lists brokers [1] of [1, 2]");
            NodeReadinessProbe.Result otherCluster = probe.probe(address, "j8xlT-kGTom22UlSGqzpBg", List.of(1));
            assertThat(otherCluster.ready()).isFalse();
            assertThat(otherCluster.reason()).isEqualTo("it serves cluster " + clusterId
                    + ", not j8xlT-kGTom22UlSGqzpBg");
        }
    }

    @Test
    void aClosedPortIsNotReady() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
        NodeReadinessProbe.Result result = probe.probe(closed, "j8xlT-kGTom22UlSGqzpBg", List.of(1));
        assertThat(result.ready()).isFalse();
        assertThat(result.reason()).isNotBlank();
    }

    @Test
    void aPeerAnsweringAnAbsurdSizeIsNotReadyAndNothingIsAllocatedForIt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket socket = server.accept()) {
                    socket.getInputStream().read(new byte[4096]);
                    new DataOutputStream(socket.getOutputStream()).writeInt(Integer.MAX_VALUE);
                    socket.getOutputStream().flush();
                    socket.getInputStream().read(); // until the probe closes
                } catch (java.io.IOException e) {
                    // the probe closed first
                }
            }, "absurd-peer");
            peer.start();
            NodeReadinessProbe.Result result = probe.probe(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    server.getLocalPort()), "j8xlT-kGTom22UlSGqzpBg", List.of(1));
            assertThat(result.ready()).isFalse();
            assertThat(result.reason()).isEqualTo("API_VERSIONS response of 2147483647 bytes");
            peer.join(30_000);
        }
    }
}
