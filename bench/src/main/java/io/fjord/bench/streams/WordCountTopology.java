package io.fjord.bench.streams;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Kafka Streams' word count: lines in, split into words, re-keyed by word (through a repartition topic), counted in a
 * persistent store (with its changelog topic), the counts out. Every line that enters the topology is counted, and
 * every word that reaches the count (after the repartition topic), with the time of the first line in and of the
 * latest word counted, for the throughput. Thread-safe: the counters are written by the
 * stream thread and read by the thread that waits for the run to end.
 */
final class WordCountTopology {
    private final AtomicLong linesIn = new AtomicLong();
    private final AtomicLong firstLineNanos = new AtomicLong();
    private final AtomicLong wordsCounted = new AtomicLong();
    private final AtomicLong latestWordNanos = new AtomicLong();

    Topology build(String inputTopic, String outputTopic) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(inputTopic, Consumed.with(Serdes.ByteArray(), Serdes.String()))
                .peek((key, line) -> lineIn())
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .selectKey((key, word) -> word)
                .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("words"))
                .peek((word, sameWord) -> wordCounted())
                .groupByKey()
                .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts")
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream()
                .to(outputTopic, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private void lineIn() {
        if (linesIn.getAndIncrement() == 0) {
            firstLineNanos.set(System.nanoTime());
        }
    }

    private void wordCounted() {
        wordsCounted.incrementAndGet();
        latestWordNanos.set(System.nanoTime());
    }

    long linesIn() {
        return linesIn.get();
    }

    long firstLineNanos() {
        return firstLineNanos.get();
    }

    /** Words that reached the count, past the repartition topic (a word processed again after a failure twice). */
    long wordsCounted() {
        return wordsCounted.get();
    }

    long latestWordNanos() {
        return latestWordNanos.get();
    }
}
