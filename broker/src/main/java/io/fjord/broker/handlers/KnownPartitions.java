package io.fjord.broker.handlers;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Splits a group request's topics into the partitions that exist and the refused rest, as Kafka's request layer does
 * before OffsetCommit, TxnOffsetCommit and OffsetDelete reach the group coordinator: a partition of a topic the image
 * does not have is UNKNOWN_TOPIC_ID when the request names topics by id, else UNKNOWN_TOPIC_OR_PARTITION, as is a
 * partition the topic does not have. One instance describes one API's message types. Immutable; thread-safe.
 *
 * @param <T> the request's topic type
 * @param <P> the request's partition type
 * @param <R> the response's topic type
 */
final class KnownPartitions<T, P, R> {
    /** A partition refused here, with its error. */
    record Refusal(int partitionIndex, Errors error) {
    }

    /** The request's topics reduced to the partitions that exist, and the response topics of the refused ones. */
    record Split<T, R>(List<T> kept, List<R> refused) {
        /** Nothing is left for the coordinator, and something was refused: the refusals are the whole answer. */
        boolean onlyRefused() {
            return kept.isEmpty() && !refused.isEmpty();
        }
    }

    private final Function<T, List<P>> partitionsOf;
    private final ToIntFunction<P> partitionIndexOf;
    private final BiFunction<T, List<P>, T> keptTopic;
    private final BiFunction<T, List<Refusal>, R> refusedTopic;

    /**
     * @param keptTopic a copy of the request topic (name and id) with these partitions
     * @param refusedTopic the response topic (name and id) answering these refusals
     */
    KnownPartitions(Function<T, List<P>> partitionsOf, ToIntFunction<P> partitionIndexOf,
            BiFunction<T, List<P>, T> keptTopic, BiFunction<T, List<Refusal>, R> refusedTopic) {
        this.partitionsOf = partitionsOf;
        this.partitionIndexOf = partitionIndexOf;
        this.keptTopic = keptTopic;
        this.refusedTopic = refusedTopic;
    }

    /**
     * @param find the image's topic a request topic names (by id or by name)
     * @param byId whether the request names topics by id (an unknown one is UNKNOWN_TOPIC_ID)
     */
    Split<T, R> split(List<T> topics, Function<T, Optional<TopicImage>> find, boolean byId) {
        List<T> kept = new ArrayList<>();
        List<R> refused = new ArrayList<>();
        for (T topic : topics) {
            Optional<TopicImage> found = find.apply(topic);
            List<P> keptPartitions = new ArrayList<>();
            List<Refusal> refusals = new ArrayList<>();
            for (P partition : partitionsOf.apply(topic)) {
                int index = partitionIndexOf.applyAsInt(partition);
                if (found.isPresent() && found.get().partitions().containsKey(index)) {
                    keptPartitions.add(partition);
                } else {
                    refusals.add(new Refusal(index, byId && found.isEmpty() ? Errors.UNKNOWN_TOPIC_ID
                            : Errors.UNKNOWN_TOPIC_OR_PARTITION));
                }
            }
            if (!keptPartitions.isEmpty()) {
                kept.add(keptTopic.apply(topic, keptPartitions));
            }
            if (!refusals.isEmpty()) {
                refused.add(refusedTopic.apply(topic, refusals));
            }
        }
        return new Split<>(kept, refused);
    }

    /** The response partitions answering {@code refusals}, in a list that may still grow. */
    static <X> List<X> answers(List<Refusal> refusals, Function<Refusal, X> answer) {
        List<X> answers = new ArrayList<>(refusals.size());
        refusals.forEach(refusal -> answers.add(answer.apply(refusal)));
        return answers;
    }

    /** Looks a request topic up by id or by name in {@code image}. */
    static <T> Function<T, Optional<TopicImage>> finder(MetadataImage image, boolean byId,
            Function<T, UUID> idOf, Function<T, String> nameOf) {
        return topic -> byId ? image.topic(idOf.apply(topic)) : image.topic(nameOf.apply(topic));
    }
}
