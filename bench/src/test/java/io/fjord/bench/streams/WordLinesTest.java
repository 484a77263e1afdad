package io.fjord.bench.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WordLinesTest {
    @Test
    void linesHaveTheWordsAskedForFromTheVocabulary() {
        WordLines text = new WordLines(1, 10, 50);
        Set<String> seen = new HashSet<>();
        for (int line = 0; line < 1_000; line++) {
            String[] words = text.next().split(" ");
            assertThat(words).hasSize(10).allMatch(word -> word.matches("w([0-9]|[1-4][0-9])"));
            seen.addAll(Arrays.asList(words));
        }
        assertThat(seen).hasSize(50);
    }

    @Test
    void theSameSeedGivesTheSameTextSoBothBrokersCountTheSameLines() {
        WordLines first = new WordLines(7, 3, 10_000);
        WordLines second = new WordLines(7, 3, 10_000);
        for (int line = 0; line < 100; line++) {
            assertThat(first.next()).isEqualTo(second.next());
        }
        assertThat(new WordLines(8, 3, 10_000).next()).isNotEqualTo(new WordLines(7, 3, 10_000).next());
    }

    @Test
    void refusesAnEmptyLineOrVocabulary() {
        assertThatThrownBy(() -> new WordLines(1, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WordLines(1, 10, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
