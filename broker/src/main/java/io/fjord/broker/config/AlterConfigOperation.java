package io.fjord.broker.config;

/**
 * One operation of an IncrementalAlterConfigs request. Immutable.
 *
 * @param name  the config name
 * @param type  what to do
 * @param value the value to set, or the comma-separated items to append or subtract; ignored for DELETE
 */
public record AlterConfigOperation(String name, Type type, String value) {

    /** The operations, with the ids of the request's {@code ConfigOperation} field. */
    public enum Type {
        SET(0), DELETE(1), APPEND(2), SUBTRACT(3);

        private final byte id;

        Type(int id) {
            this.id = (byte) id;
        }

        public byte id() {
            return id;
        }

        /** @throws IllegalArgumentException for an id Kafka does not define */
        public static Type forId(byte id) {
            for (Type type : values()) {
                if (type.id == id) {
                    return type;
                }
            }
            throw new IllegalArgumentException("Unknown config operation " + id);
        }
    }

    public static AlterConfigOperation set(String name, String value) {
        return new AlterConfigOperation(name, Type.SET, value);
    }

    public static AlterConfigOperation delete(String name) {
        return new AlterConfigOperation(name, Type.DELETE, null);
    }

    public static AlterConfigOperation append(String name, String value) {
        return new AlterConfigOperation(name, Type.APPEND, value);
    }

    public static AlterConfigOperation subtract(String name, String value) {
        return new AlterConfigOperation(name, Type.SUBTRACT, value);
    }
}
