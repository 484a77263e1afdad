package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * KIP-402's eviction with explicit times: an inter-broker connection past the broker-wide maximum closes the least
 * recently used connection of another listener, one per excess connection; protected connections are never chosen;
 * a lowered maximum closes the excess.
 */
class ConnectionEvictorTest {
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();
    private static final int UNLIMITED = Integer.MAX_VALUE;

    private final AtomicLong nowNanos = new AtomicLong(1_000);
    private ConnectionQuotas quotas = quotas(2);
    private ConnectionEvictor evictor = new ConnectionEvictor(quotas, log());

    private static ConnectionLimits limits(int maxConnections) {
        return new ConnectionLimits(maxConnections, Map.of(), UNLIMITED, Map.of(), UNLIMITED, Map.of(), "INTERNAL",
                11, 1_000);
    }

    private static ConnectionQuotas quotas(int maxConnections) {
        return new ConnectionQuotas(limits(maxConnections), IpConnectionRateQuotas.NONE,
                List.of("EXTERNAL", "INTERNAL"));
    }

    private static ConnectionLog log() {
        return new ConnectionLog(LoggerFactory.getLogger(ConnectionEvictorTest.class), System::nanoTime, 1, 100);
    }

    /** Admits a connection as the accept gate does, at the current time. */
    private EmbeddedChannel open(String listener) {
        assertThat(quotas.slotAvailable(listener)).isTrue();
        assertThat(quotas.admit(listener, CLIENT)).isEqualTo(-1);
        ConnectionActivity activity = new ConnectionActivity(nowNanos::get);
        EmbeddedChannel channel = new EmbeddedChannel(activity);
        evictor.opened(channel, listener, activity);
        nowNanos.addAndGet(10);
        return channel;
    }

    /** Tells the evictor and the quotas that a closed channel is gone, as the accept gate's close listener does. */
    private void release(EmbeddedChannel channel, String listener) {
        assertThat(channel.isOpen()).isFalse();
        evictor.closed(channel);
        quotas.release(listener, CLIENT);
    }

    @Test
    void anInterBrokerConnectionPastTheMaximumClosesTheLeastRecentlyUsedOtherConnection() {
        EmbeddedChannel first = open("EXTERNAL");
        EmbeddedChannel second = open("EXTERNAL");
        first.writeInbound(Unpooled.wrappedBuffer(new byte[] {1})); // the first is now the most recently used
        assertThat(quotas.slotAvailable("EXTERNAL")).isFalse();

        EmbeddedChannel interBroker = open("INTERNAL");
        assertThat(evictor.evictExcess()).isEqualTo(1);

        assertThat(second.isOpen()).isFalse();
        assertThat(first.isOpen()).isTrue();
        assertThat(interBroker.isOpen()).isTrue();
        // Until the close is released the excess is already answered: nothing more is closed.
        assertThat(evictor.evictExcess()).isZero();
        release(second, "EXTERNAL");
        assertThat(quotas.totalCount()).isEqualTo(2);
        assertThat(evictor.evictExcess()).isZero();
        assertThat(first.isOpen()).isTrue();
    }

    @Test
    void writesCountAsUseToo() {
        EmbeddedChannel first = open("EXTERNAL");
        EmbeddedChannel second = open("EXTERNAL");
        first.writeOutbound(Unpooled.wrappedBuffer(new byte[] {1}));

        open("INTERNAL");
        evictor.evictExcess();

        assertThat(second.isOpen()).isFalse();
        assertThat(first.isOpen()).isTrue();
    }

    @Test
    void theProtectedListenersConnectionsAreNeverClosed() {
        EmbeddedChannel external = open("EXTERNAL");
        EmbeddedChannel internalOne = open("INTERNAL");
        EmbeddedChannel internalTwo = open("INTERNAL");

        assertThat(evictor.evictExcess()).isEqualTo(1);
        assertThat(external.isOpen()).isFalse();
        release(external, "EXTERNAL");

        EmbeddedChannel internalThree = open("INTERNAL");
        assertThat(evictor.evictExcess()).isZero();
        assertThat(List.of(internalOne, internalTwo, internalThree)).allMatch(EmbeddedChannel::isOpen);
    }

    @Test
    void withinTheMaximumNothingIsClosed() {
        EmbeddedChannel external = open("EXTERNAL");
        EmbeddedChannel internal = open("INTERNAL");

        assertThat(evictor.evictExcess()).isZero();
        assertThat(List.of(external, internal)).allMatch(EmbeddedChannel::isOpen);
    }

    @Test
    void aLoweredMaximumClosesTheLeastRecentlyUsedConnectionsAboveIt() {
        quotas = quotas(UNLIMITED);
        evictor = new ConnectionEvictor(quotas, log());
        EmbeddedChannel first = open("EXTERNAL");
        EmbeddedChannel second = open("EXTERNAL");
        EmbeddedChannel third = open("EXTERNAL");
        first.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));

        quotas.updateLimits(limits(1));

        assertThat(evictor.evictExcess()).isEqualTo(2);
        assertThat(first.isOpen()).isTrue();
        assertThat(second.isOpen()).isFalse();
        assertThat(third.isOpen()).isFalse();
        assertThat(evictor.evictingCount()).isEqualTo(2);
    }
}
