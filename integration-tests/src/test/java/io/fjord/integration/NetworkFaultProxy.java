package io.fjord.integration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A fault-injecting TCP proxy between the nodes of a test cluster, in the test JVM (portable: no root, no {@code ip
 * netns}). Each link is one direction of one kind of traffic between two nodes (say "replication 1->2"): its own
 * loopback port forwarding to the destination's real listener. A cut link stops moving bytes both ways, as a
 * partition that drops packets does: open connections hang (their requests time out at the sender), new connections
 * are left in the accept backlog; heal moves them again (bytes held in the buffers or the kernel arrive late, as TCP
 * retransmits them after a partition heals, unless a side closed meanwhile).
 *
 * <p>Bounded: one selector thread (started by {@link #start}) for every link, at most
 * {@value #CONNECTIONS_PER_LINK_MAX} connections per link (a new one closes the oldest), two
 * {@value #BUFFER_BYTES}-byte buffers per connection. Thread-safety: the selector thread owns every link and
 * connection; {@link #open}, {@link #cut}, {@link #heal} and {@link #close} hand their work to it and wait for it, so
 * a cut is in force when {@code cut} returns.
 */
final class NetworkFaultProxy implements AutoCloseable {
    static final int CONNECTIONS_PER_LINK_MAX = 32;
    static final int BUFFER_BYTES = 64 * 1024;
    private static final Duration COMMAND_BOUND = Duration.ofSeconds(30);

    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Map<String, Link> links = new HashMap<>();
    private final Thread thread;
    private volatile boolean open = true;

    private NetworkFaultProxy(Selector selector) {
        this.selector = selector;
        this.thread = new Thread(this::run, "network-fault-proxy");
        this.thread.setDaemon(true);
    }

    /** Opens the selector and starts its thread. */
    static NetworkFaultProxy start() throws IOException {
        NetworkFaultProxy proxy = new NetworkFaultProxy(Selector.open());
        proxy.thread.start();
        return proxy;
    }

    /** Opens a link listening on {@code 127.0.0.1:port} that forwards to {@code target}, not cut. */
    void open(String name, int port, InetSocketAddress target) {
        call(() -> {
            if (links.containsKey(name)) {
                throw new IllegalArgumentException("link " + name + " exists");
            }
            try {
                ServerSocketChannel server = ServerSocketChannel.open();
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                server.configureBlocking(false);
                Link link = new Link(name, target, server);
                link.key = server.register(selector, SelectionKey.OP_ACCEPT, link);
                links.put(name, link);
            } catch (IOException e) {
                throw new UncheckedIOException("link " + name + " on port " + port, e);
            }
            return null;
        });
    }

    /** Stops the link's traffic both ways; in force when this returns. Cutting a cut link changes nothing. */
    void cut(String name) {
        setCut(name, true);
    }

    /** Lets the link's traffic move again. */
    void heal(String name) {
        setCut(name, false);
    }

    /** Whether the link is cut now. */
    boolean isCut(String name) {
        return call(() -> link(name).cut);
    }

    /** How many of the link's connections were closed to stay within {@value #CONNECTIONS_PER_LINK_MAX}. */
    int evicted(String name) {
        return call(() -> link(name).evicted);
    }

    /** The link's open connections (accepted, not yet closed). */
    int connections(String name) {
        return call(() -> link(name).connections.size());
    }

    private void setCut(String name, boolean cut) {
        call(() -> {
            Link link = link(name);
            link.cut = cut;
            link.key.interestOps(cut ? 0 : SelectionKey.OP_ACCEPT);
            link.connections.forEach(Connection::updateInterest);
            return null;
        });
    }

    private Link link(String name) {
        Link link = links.get(name);
        if (link == null) {
            throw new IllegalArgumentException("no link " + name);
        }
        return link;
    }

    private <T> T call(Supplier<T> work) {
        if (!open) {
            throw new IllegalStateException("the proxy is closed");
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        commands.add(() -> {
            try {
                done.complete(work.get());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            return done.get(COMMAND_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the proxy thread did not answer", e);
        }
    }

    private void run() {
        try {
            while (open) {
                selector.select(1000);
                for (Runnable command = commands.poll(); command != null; command = commands.poll()) {
                    command.run();
                }
                Set<SelectionKey> selected = selector.selectedKeys();
                for (SelectionKey key : selected) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.attachment() instanceof Link link) {
                        accept(link);
                    } else if (key.attachment() instanceof Connection connection) {
                        connection.handle(key);
                    }
                }
                selected.clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (open) {
                System.err.println("network-fault-proxy stopped: " + e);
            }
        } finally {
            new ArrayList<>(links.values()).forEach(Link::close);
            try {
                selector.close();
            } catch (IOException ignored) {
                // Closing: nothing left to release.
            }
        }
    }

    private void accept(Link link) throws IOException {
        SocketChannel downstream;
        while (!link.cut && (downstream = link.server.accept()) != null) {
            if (link.connections.size() >= CONNECTIONS_PER_LINK_MAX) {
                // After a heal the oldest are mostly ones their source gave up on while the link was cut.
                link.connections.iterator().next().close();
                link.evicted++;
            }
            SocketChannel upstream = SocketChannel.open();
            try {
                downstream.configureBlocking(false);
                downstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                upstream.configureBlocking(false);
                upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection connection = new Connection(link, downstream, upstream);
                connection.connected = upstream.connect(link.target);
                connection.downstreamKey = downstream.register(selector, 0, connection);
                connection.upstreamKey = upstream.register(selector, 0, connection);
                link.connections.add(connection);
                connection.updateInterest();
            } catch (IOException e) {
                // The destination refused at once (a stopped node): the source sees its connection closed.
                downstream.close();
                upstream.close();
            }
        }
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        selector.wakeup();
        try {
            thread.join(COMMAND_BOUND.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One link; owned by the selector thread. */
    private static final class Link {
        final String name;
        final InetSocketAddress target;
        final ServerSocketChannel server;
        /** In the order they were accepted. */
        final Set<Connection> connections = new LinkedHashSet<>();
        SelectionKey key;
        boolean cut;
        /** Connections closed to stay within the bound. */
        int evicted;

        Link(String name, InetSocketAddress target, ServerSocketChannel server) {
            this.name = name;
            this.target = target;
            this.server = server;
        }

        void close() {
            new ArrayList<>(connections).forEach(Connection::close);
            try {
                server.close();
            } catch (IOException ignored) {
                // Closing: nothing left to release.
            }
        }
    }

    /** One proxied connection: the source's (downstream) and the destination's (upstream); owned by the thread. */
    private static final class Connection {
        final Link link;
        final SocketChannel downstream;
        final SocketChannel upstream;
        /** Bytes read from the source, to write to the destination; kept in fill mode. */
        final ByteBuffer toUpstream = ByteBuffer.allocate(BUFFER_BYTES);
        /** Bytes read from the destination, to write to the source; kept in fill mode. */
        final ByteBuffer toDownstream = ByteBuffer.allocate(BUFFER_BYTES);
        SelectionKey downstreamKey;
        SelectionKey upstreamKey;
        boolean connected;
        boolean downstreamEnded;
        boolean upstreamEnded;

        Connection(Link link, SocketChannel downstream, SocketChannel upstream) {
            this.link = link;
            this.downstream = downstream;
            this.upstream = upstream;
        }

        void handle(SelectionKey key) {
            try {
                if (key == upstreamKey && key.isConnectable()) {
                    connected = upstream.finishConnect();
                }
                if (connected && !link.cut) {
                    boolean fromSource = key == downstreamKey;
                    SocketChannel channel = fromSource ? downstream : upstream;
                    if (key.isValid() && key.isReadable()) {
                        int read = channel.read(fromSource ? toUpstream : toDownstream);
                        if (read < 0) {
                            if (fromSource) {
                                downstreamEnded = true;
                            } else {
                                upstreamEnded = true;
                            }
                        }
                    }
                    flush(upstream, toUpstream);
                    flush(downstream, toDownstream);
                }
                // Kafka's protocols do not half-close: once a side has ended and its bytes are passed on, both go.
                if (downstreamEnded && toUpstream.position() == 0 || upstreamEnded && toDownstream.position() == 0) {
                    close();
                    return;
                }
                updateInterest();
            } catch (IOException e) {
                close();
            }
        }

        private static void flush(SocketChannel channel, ByteBuffer buffer) throws IOException {
            if (buffer.position() > 0) {
                buffer.flip();
                channel.write(buffer);
                buffer.compact();
            }
        }

        void updateInterest() {
            if (!downstreamKey.isValid() || !upstreamKey.isValid()) {
                return;
            }
            if (link.cut) {
                downstreamKey.interestOps(0);
                upstreamKey.interestOps(0);
                return;
            }
            if (!connected) {
                downstreamKey.interestOps(0);
                upstreamKey.interestOps(SelectionKey.OP_CONNECT);
                return;
            }
            downstreamKey.interestOps(ops(!downstreamEnded && toUpstream.hasRemaining(), toDownstream.position() > 0));
            upstreamKey.interestOps(ops(!upstreamEnded && toDownstream.hasRemaining(), toUpstream.position() > 0));
        }

        private static int ops(boolean read, boolean write) {
            return (read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0);
        }

        void close() {
            link.connections.remove(this);
            try {
                downstream.close();
            } catch (IOException ignored) {
                // Closing: nothing left to release.
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // Closing: nothing left to release.
            }
        }
    }

    /** The names of the open links, for reports. */
    List<String> linkNames() {
        return call(() -> new ArrayList<>(links.keySet()));
    }
}
