package io.fjord.broker.producer;

/**
 * A block of producer ids the controller granted this broker, and how many of them were handed out.
 *
 * <p>Not thread-safe: {@link ProducerIdManager} guards it.
 */
final class ProducerIdBlock {
    /** The block a broker starts with: no ids, so the first caller asks the controller for one. */
    static final ProducerIdBlock EMPTY = new ProducerIdBlock(0, 0);

    private final long firstProducerId;
    private final int size;
    private long nextProducerId;

    ProducerIdBlock(long firstProducerId, int size) {
        this.firstProducerId = firstProducerId;
        this.size = size;
        this.nextProducerId = firstProducerId;
    }

    boolean hasNext() {
        return nextProducerId <= lastProducerId();
    }

    long claimNext() {
        return nextProducerId++;
    }

    /** The last id of the block ({@code first - 1} for an empty block). */
    long lastProducerId() {
        return firstProducerId + size - 1;
    }

    /** The id whose hand-out fetches the next block: Kafka's 90 % point, rounded down. */
    long prefetchProducerId() {
        return firstProducerId + (long) (size * ProducerIdManager.PREFETCH_THRESHOLD);
    }

    @Override
    public String toString() {
        return "[" + firstProducerId + ", " + (firstProducerId + size) + ")";
    }
}
