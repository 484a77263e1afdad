package io.fjord.protocol.codec;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Fills instances of Kafka's generated message classes with random values through their setters, so conversions can
 * be checked on every field without naming any. Not thread-safe: one per test.
 */
final class RandomKafkaMessages {
    private static final int DEPTH_MAX = 4;
    private final Random random;
    /** When set, every field keeps a random value only if the message still writes at this version. */
    private short version = -1;

    RandomKafkaMessages(long seed) {
        this.random = new Random(seed);
    }

    <T> T fill(Class<T> type) {
        return type.cast(struct(type, 0));
    }

    /** A message with random values in the fields that version {@code atVersion} carries. */
    <T> T fillForVersion(Class<T> type, short atVersion) {
        this.version = atVersion;
        try {
            return type.cast(struct(type, 0));
        } finally {
            this.version = -1;
        }
    }

    private boolean writes(Object instance) {
        if (version < 0) {
            return true;
        }
        try {
            org.apache.kafka.common.protocol.Message message = (org.apache.kafka.common.protocol.Message) instance;
            org.apache.kafka.common.protocol.ObjectSerializationCache cache =
                    new org.apache.kafka.common.protocol.ObjectSerializationCache();
            int size = message.size(cache, version);
            message.write(new org.apache.kafka.common.protocol.ByteBufferAccessor(ByteBuffer.allocate(size)), cache,
                    version);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Object struct(Class<?> type, int depth) {
        try {
            Object instance = type.getConstructor().newInstance();
            for (Method method : type.getMethods()) {
                if (method.getName().startsWith("set") && method.getParameterCount() == 1
                        && !Modifier.isStatic(method.getModifiers()) && !method.getName().equals("setNext")
                        && !method.getName().equals("setPrev")) {
                    Object value = value(method.getParameterTypes()[0], method.getGenericParameterTypes()[0], depth);
                    try {
                        method.invoke(instance, value);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        // uint16 fields are ints that accept only 0..65535.
                        method.invoke(instance, random.nextInt(65536));
                    }
                    if (!writes(instance)) {
                        // Not carried (or not nullable) at this version: back to the default value.
                        Object fresh = type.getConstructor().newInstance();
                        Method getter = type.getMethod(Character.toLowerCase(method.getName().charAt(3))
                                + method.getName().substring(4));
                        method.invoke(instance, getter.invoke(fresh));
                    }
                }
            }
            return instance;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot fill " + type.getName(), e);
        }
    }

    private Object value(Class<?> type, Type generic, int depth) {
        if (type == boolean.class) {
            return random.nextBoolean();
        } else if (type == byte.class) {
            return (byte) random.nextInt();
        } else if (type == short.class) {
            return (short) random.nextInt();
        } else if (type == int.class) {
            return random.nextInt();
        } else if (type == long.class) {
            return random.nextLong();
        } else if (type == double.class) {
            return random.nextDouble();
        } else if (type == String.class) {
            return random.nextInt(8) == 0 ? null : "s" + Integer.toHexString(random.nextInt());
        } else if (type == Uuid.class) {
            return new Uuid(random.nextLong(), random.nextLong());
        } else if (type == byte[].class) {
            byte[] bytes = new byte[random.nextInt(6)];
            random.nextBytes(bytes);
            return bytes;
        } else if (type == ByteBuffer.class) {
            byte[] bytes = new byte[random.nextInt(6)];
            random.nextBytes(bytes);
            return ByteBuffer.wrap(bytes);
        } else if (BaseRecords.class.isAssignableFrom(type)) {
            return MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord(random.nextLong() & Long.MAX_VALUE, "k".getBytes(StandardCharsets.UTF_8),
                            ("v" + random.nextInt()).getBytes(StandardCharsets.UTF_8)));
        } else if (List.class.isAssignableFrom(type)) {
            return list(((ParameterizedType) generic).getActualTypeArguments()[0], depth);
        } else if (Collection.class.isAssignableFrom(type)) {
            return keyedCollection(type, depth);
        } else {
            return depth >= DEPTH_MAX ? null : struct(type, depth + 1);
        }
    }

    private List<Object> list(Type element, int depth) {
        int size = depth >= DEPTH_MAX ? 0 : random.nextInt(3);
        List<Object> list = new ArrayList<>(size);
        for (int index = 0; index < size; index++) {
            list.add(boxed((Class<?>) element, depth));
        }
        return list;
    }

    private Object boxed(Class<?> element, int depth) {
        if (element == Integer.class) {
            return random.nextInt();
        } else if (element == Long.class) {
            return random.nextLong();
        } else if (element == Short.class) {
            return (short) random.nextInt();
        } else if (element == Byte.class) {
            return (byte) random.nextInt();
        } else if (element == String.class) {
            return "e" + random.nextInt(1000);
        } else if (element == Uuid.class) {
            return new Uuid(random.nextLong(), random.nextLong());
        }
        return struct(element, depth + 1);
    }

    @SuppressWarnings("unchecked")
    private Object keyedCollection(Class<?> type, int depth) {
        try {
            Collection<Object> collection = (Collection<Object>) type.getConstructor().newInstance();
            Type superType = type.getGenericSuperclass();
            Class<?> element = (Class<?>) ((ParameterizedType) superType).getActualTypeArguments()[0];
            int size = depth >= DEPTH_MAX ? 0 : random.nextInt(3);
            for (int index = 0; index < size; index++) {
                collection.add(struct(element, depth + 1));
            }
            return collection;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot fill " + type.getName(), e);
        }
    }
}
