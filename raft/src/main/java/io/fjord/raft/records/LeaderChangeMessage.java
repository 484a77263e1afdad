package io.fjord.raft.records;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Collection;

/**
 * Kafka's LeaderChangeMessage control record (version 0, a flexible message: compact arrays, empty tagged fields)
 * behind the core's {@code LEADER_CHANGE} entry, whose payload is the new leader's id as 4 big-endian bytes. The
 * record's key is the control record key (version 0, type 2 = LEADER_CHANGE). Voters are the quorum's voters;
 * granting voters are not known at this edge and written empty.
 *
 * <p>Stateless and thread-safe.
 */
final class LeaderChangeMessage {
    static final short CONTROL_TYPE_LEADER_CHANGE = 2;
    private static final int MAX_VOTERS = 1024;

    private LeaderChangeMessage() {
    }

    static ByteBuffer controlKey() {
        return ByteBuffer.allocate(4).putShort(0, (short) 0).putShort(2, CONTROL_TYPE_LEADER_CHANGE);
    }

    static ByteBuffer encode(byte[] corePayload, Collection<Integer> voterIds) {
        if (corePayload.length != 4) {
            throw new IllegalArgumentException("a leader-change payload is a 4-byte leader id, not "
                    + corePayload.length + " bytes");
        }
        int leaderId = ByteBuffer.wrap(corePayload).getInt();
        ByteBuffer value = ByteBuffer.allocate(2 + 4 + 5 + voterIds.size() * 5 + 1 + 1 + 1);
        value.putShort((short) 0).putInt(leaderId);
        putUnsignedVarint(value, voterIds.size() + 1);
        for (int voterId : voterIds) {
            value.putInt(voterId).put((byte) 0); // the voter's empty tagged fields
        }
        putUnsignedVarint(value, 1); // granting voters: none
        value.put((byte) 0); // the message's empty tagged fields
        return value.flip();
    }

    /** The core's payload (the leader id) of a control record; refuses other control types and bad bytes. */
    static byte[] decodeLeaderChange(ByteBuffer key, ByteBuffer value) {
        if (key == null || key.remaining() < 4 || key.getShort(key.position() + 2) != CONTROL_TYPE_LEADER_CHANGE) {
            throw new InvalidEntriesException("a control record that is not a leader change");
        }
        if (value == null) {
            throw new InvalidEntriesException("a leader change without a value");
        }
        ByteBuffer bytes = value.duplicate();
        try {
            bytes.getShort(); // version
            int leaderId = bytes.getInt();
            skipVoters(bytes);
            skipVoters(bytes);
            return ByteBuffer.allocate(4).putInt(0, leaderId).array();
        } catch (BufferUnderflowException e) {
            throw new InvalidEntriesException("a truncated leader-change message");
        }
    }

    private static void skipVoters(ByteBuffer bytes) {
        int count = readUnsignedVarint(bytes) - 1;
        if (count < 0 || count > MAX_VOTERS) {
            throw new InvalidEntriesException("a leader-change message with " + count + " voters");
        }
        for (int index = 0; index < count; index++) {
            bytes.getInt();
            int taggedFields = readUnsignedVarint(bytes);
            if (taggedFields != 0) {
                throw new InvalidEntriesException("a leader-change voter with tagged fields");
            }
        }
    }

    private static void putUnsignedVarint(ByteBuffer buffer, int value) {
        int rest = value;
        while ((rest & ~0x7F) != 0) {
            buffer.put((byte) ((rest & 0x7F) | 0x80));
            rest >>>= 7;
        }
        buffer.put((byte) rest);
    }

    private static int readUnsignedVarint(ByteBuffer buffer) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte next = buffer.get();
            value |= (next & 0x7F) << shift;
            if ((next & 0x80) == 0) {
                return value;
            }
        }
        throw new InvalidEntriesException("a varint longer than 5 bytes");
    }
}
