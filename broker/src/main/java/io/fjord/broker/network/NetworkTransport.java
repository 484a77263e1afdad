package io.fjord.broker.network;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Supplier;

/**
 * The socket IO of a node's event loops: Linux's native epoll where Netty's library for it loads, else Java NIO. A
 * loop and the channels registered on it must use the same one ({@link #of}). Immutable and thread-safe.
 *
 * <p>Native epoll rather than NIO for the replica fetchers too: with NIO selectors they cost the brokers 12-43 %
 * more CPU per record under replication load (docs/performance.md, session 15). Netty's io_uring transport, tried
 * for the listeners and the fetchers, cost more than epoll and doubled the context switches per record.
 */
public enum NetworkTransport {
    EPOLL(EpollIoHandler.class, EpollIoHandler::newFactory, EpollSocketChannel.class,
            EpollServerSocketChannel.class),
    NIO(NioIoHandler.class, NioIoHandler::newFactory, NioSocketChannel.class, NioServerSocketChannel.class);

    private final Class<? extends IoHandler> handlerType;
    private final Supplier<IoHandlerFactory> handlers;
    private final Class<? extends SocketChannel> socketChannel;
    private final Class<? extends ServerSocketChannel> serverSocketChannel;

    NetworkTransport(Class<? extends IoHandler> handlerType, Supplier<IoHandlerFactory> handlers,
                     Class<? extends SocketChannel> socketChannel,
                     Class<? extends ServerSocketChannel> serverSocketChannel) {
        this.handlerType = handlerType;
        this.handlers = handlers;
        this.socketChannel = socketChannel;
        this.serverSocketChannel = serverSocketChannel;
    }

    /** The transport for new event loops: epoll where it is available. */
    public static NetworkTransport preferred() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** The transport of an event loop's IO (NIO for a loop that is not an IO loop). */
    public static NetworkTransport of(EventLoop loop) {
        return loop instanceof IoEventLoop ioLoop && ioLoop.isIoType(EPOLL.handlerType) ? EPOLL : NIO;
    }

    public IoHandlerFactory ioHandlerFactory() {
        return handlers.get();
    }

    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }

    public Class<? extends ServerSocketChannel> serverSocketChannel() {
        return serverSocketChannel;
    }
}
