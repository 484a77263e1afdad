package io.fjord.broker.network;

import io.netty.buffer.ByteBuf;

/** One request frame (size prefix removed) and the pool bytes reserved for it. Owned by one connection. */
record Frame(ByteBuf content, int reservedBytes) {
}
