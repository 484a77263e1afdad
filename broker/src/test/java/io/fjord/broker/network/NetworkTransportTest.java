package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NetworkTransportTest {

    @Test
    void prefersEpollWhereItIsAvailable() {
        assertThat(NetworkTransport.preferred()).isEqualTo(Epoll.isAvailable() ? NetworkTransport.EPOLL
                : NetworkTransport.NIO);
    }

    @Test
    void namesTheTransportOfEachKindOfLoop() {
        MultiThreadIoEventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        DefaultEventLoop plain = new DefaultEventLoop();
        try {
            assertThat(NetworkTransport.of(nio.next())).isEqualTo(NetworkTransport.NIO);
            assertThat(NetworkTransport.of(plain)).isEqualTo(NetworkTransport.NIO);
        } finally {
            nio.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            plain.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    /** A client channel of the loop's own transport connects to a server of the preferred one. */
    @Test
    void aLoopsOwnChannelTypeRegistersAndConnects() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll is not available here");
        MultiThreadIoEventLoopGroup epoll = new MultiThreadIoEventLoopGroup(1,
                NetworkTransport.EPOLL.ioHandlerFactory());
        try {
            EventLoop loop = epoll.next();
            assertThat(NetworkTransport.of(loop)).isEqualTo(NetworkTransport.EPOLL);
            Channel server = new ServerBootstrap().group(epoll)
                    .channel(NetworkTransport.preferred().serverSocketChannel())
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Channel client = new Bootstrap().group(loop).channel(NetworkTransport.of(loop).socketChannel())
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(server.localAddress()).sync().channel();
            assertThat(client.isActive()).isTrue();
            client.close().sync();
            server.close().sync();
        } finally {
            epoll.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
