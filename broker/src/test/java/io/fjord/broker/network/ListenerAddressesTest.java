package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ListenerAddressesTest {
    private static SocketServer server(String listener) {
        return new SocketServer(NetworkConfig.defaults(List.of(Endpoint.parse(listener))), new TestDispatcher());
    }

    @Test
    void aHostNameListenerAnswersOnEveryAddressTheNameResolvesTo() throws Exception {
        Set<InetAddress> localhost = Set.of(InetAddress.getAllByName("localhost"));
        SocketServer server = server("PLAINTEXT://localhost:0");
        server.start();
        try {
            List<InetSocketAddress> bound = server.boundAddresses("PLAINTEXT");
            assertThat(bound.stream().map(InetSocketAddress::getAddress).collect(Collectors.toSet()))
                    .isEqualTo(localhost);
            int port = bound.get(0).getPort();
            assertThat(bound).allSatisfy(address -> assertThat(address.getPort()).isEqualTo(port));
            for (InetAddress address : localhost) {
                try (Socket client = new Socket(address, port)) {
                    assertThat(client.isConnected()).isTrue();
                }
            }
        } finally {
            server.shutdown(1_000);
        }
    }

    @Test
    void aTakenPortFailsWithOneLineNamingTheListenerAndTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String listener = "PLAINTEXT://127.0.0.1:" + taken.getLocalPort();
            SocketServer server = server(listener);
            assertThatThrownBy(server::start).isInstanceOf(ListenerBindException.class)
                    .hasMessageStartingWith("cannot bind listener " + listener + " to 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("in use").hasMessageNotContaining("bind(..)")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void aHostThatDoesNotResolveIsNamed() {
        assertThatThrownBy(() -> ListenerAddresses.resolve(Endpoint.parse("PLAINTEXT://no-such-host.invalid:9092")))
                .isInstanceOf(ListenerBindException.class).hasMessageContaining("no-such-host.invalid");
    }

    @Test
    void anEmptyHostBindsTheWildcard() {
        assertThat(ListenerAddresses.resolve(Endpoint.parse("PLAINTEXT://:9092")))
                .singleElement().satisfies(address -> assertThat(address.isAnyLocalAddress()).isTrue());
    }
}
