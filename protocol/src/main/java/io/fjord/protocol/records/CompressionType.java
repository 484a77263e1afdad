package io.fjord.protocol.records;

/** Compression codecs of the record-batch attributes, with Kafka's ids and config names. */
public enum CompressionType {
    NONE(0, "none"),
    GZIP(1, "gzip"),
    SNAPPY(2, "snappy"),
    LZ4(3, "lz4"),
    ZSTD(4, "zstd");

    private final int id;
    private final String configName;

    CompressionType(int id, String configName) {
        this.id = id;
        this.configName = configName;
    }

    public int id() {
        return id;
    }

    public String configName() {
        return configName;
    }

    /** The codec for an attributes id; ids 5 to 7 are invalid and raise {@link IllegalArgumentException}. */
    public static CompressionType forId(int id) {
        for (CompressionType type : values()) {
            if (type.id == id) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown compression id " + id);
    }

    public static CompressionType forConfigName(String name) {
        for (CompressionType type : values()) {
            if (type.configName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown compression type " + name);
    }
}
