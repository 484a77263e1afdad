package io.fjord.broker.network;

/**
 * Receives the frames one connection's {@link FrameDecoder} cuts, in arrival order, on the connection's event loop;
 * also after the connection closed, when frames read before the close are cut once request memory allows.
 */
interface FrameSink {
    /** Takes ownership of the frame: its buffer and its reserved pool bytes. */
    void frameReceived(Frame frame);
}
