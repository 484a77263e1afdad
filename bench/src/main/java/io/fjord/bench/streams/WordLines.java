package io.fjord.bench.streams;

import java.util.SplittableRandom;

/**
 * The word count's input: lines of {@code wordsPerLine} words drawn uniformly from a vocabulary of
 * {@code vocabularySize} words ({@code w0} ... {@code w<size-1>}), the same sequence for the same seed, so Fjord and
 * Kafka runs count the same text. Not thread-safe; one producer thread owns it.
 */
final class WordLines {
    private final SplittableRandom random;
    private final int wordsPerLine;
    private final int vocabularySize;
    private final StringBuilder line = new StringBuilder();

    WordLines(long seed, int wordsPerLine, int vocabularySize) {
        if (wordsPerLine < 1 || vocabularySize < 1) {
            throw new IllegalArgumentException("need at least one word per line and one word in the vocabulary");
        }
        this.random = new SplittableRandom(seed);
        this.wordsPerLine = wordsPerLine;
        this.vocabularySize = vocabularySize;
    }

    /** The next line: words separated by single spaces. */
    String next() {
        line.setLength(0);
        for (int word = 0; word < wordsPerLine; word++) {
            if (word > 0) {
                line.append(' ');
            }
            line.append('w').append(random.nextInt(vocabularySize));
        }
        return line.toString();
    }
}
