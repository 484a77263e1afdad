package io.fjord.bench.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where benchmarks put their files: a fresh directory under {@code -Dbench.dir} (default {@code java.io.tmpdir}),
 * deleted with everything in it when the benchmark tears down. Not thread-safe; one per benchmark state.
 */
final class BenchmarkDirectory {
    /** System property naming the directory under which benchmark files go. */
    static final String DIRECTORY_PROPERTY = "bench.dir";

    private BenchmarkDirectory() {
    }

    static Path create(String prefix) {
        String root = System.getProperty(DIRECTORY_PROPERTY, System.getProperty("java.io.tmpdir"));
        try {
            Path parent = Paths.get(root);
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a benchmark directory under " + root, e);
        }
    }

    /** Deletes {@code directory} and everything below it; a missing directory is fine. */
    static void delete(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            List<Path> deepestFirst = files.sorted(Comparator.reverseOrder()).toList();
            for (Path file : deepestFirst) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
