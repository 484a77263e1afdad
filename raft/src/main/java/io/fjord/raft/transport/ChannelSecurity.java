package io.fjord.raft.transport;

import io.netty.channel.Channel;

/**
 * How the connections of one listener are protected: nothing (PLAINTEXT) or TLS, set up by adding handlers at the
 * front of a new connection's pipeline before any other handler sees its bytes. The same listener's security serves
 * the connections this node accepts on it and those it makes to other nodes' listeners of that name. Kept to Netty's
 * transport types so that every module with connections (the Raft transport, the broker's socket server and its
 * inter-node clients) shares one seam.
 *
 * <p>Implementations are thread-safe: called from any event loop.
 */
public interface ChannelSecurity {
    /** No protection: Kafka's PLAINTEXT. */
    ChannelSecurity PLAINTEXT = new ChannelSecurity() {
        @Override
        public void secureAccepted(Channel channel) {
        }

        @Override
        public void secureConnecting(Channel channel, String peerHost, int peerPort) {
        }

        @Override
        public boolean isEncrypted() {
            return false;
        }

        @Override
        public String toString() {
            return "PLAINTEXT";
        }
    };

    /** Protects a connection this node accepted (called from the channel's initializer). */
    void secureAccepted(Channel channel);

    /**
     * Protects a connection this node makes to {@code peerHost:peerPort} (called from the channel's initializer,
     * before it connects); the host is what the peer's certificate is checked against.
     */
    void secureConnecting(Channel channel, String peerHost, int peerPort);

    /** Whether bytes are transformed on the way (so file regions cannot be sent as they are). */
    boolean isEncrypted();

    /**
     * The user name of the peer of a connection this node accepted and whose protection is set up (TLS: the client
     * certificate's name mapped by {@code ssl.principal.mapping.rules}, ANONYMOUS without one); empty when no mapping
     * applies (Kafka then refuses the client). ANONYMOUS without protection.
     */
    default java.util.Optional<String> peerUser(Channel channel) {
        return java.util.Optional.of("ANONYMOUS");
    }
}
