package io.fjord.storage;

import io.fjord.storage.SegmentFilesImage.Place;
import io.fjord.storage.SegmentFilesImage.SegmentImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Damages a crashed log's files the way lost page cache can: only bytes at or after the flushed place (the recovery
 * point's position), whole segments created after it, and index files that recovery rebuilds. Describes what it did
 * for assertion messages. Not thread-safe.
 */
public final class UnflushedDamage {
    private final Random random;
    private final List<SegmentImage> segments;
    private final Place flushed;
    private final List<String> done = new ArrayList<>();

    public UnflushedDamage(Random random, SegmentFilesImage image, Place flushed) {
        this.random = random;
        this.segments = image.segments();
        this.flushed = flushed;
    }

    /** Applies one or two random kinds of damage; returns a description. */
    public String apply() {
        int kinds = 1 + random.nextInt(2);
        for (int count = 0; count < kinds; count++) {
            switch (random.nextInt(7)) {
                case 0 -> truncate();
                case 1, 2 -> flipBytes();
                case 3 -> zeroRange();
                case 4 -> dropUnflushed();
                case 5 -> damageIndexes();
                default -> vanish();
            }
        }
        return String.join("; ", done);
    }

    private int pickSegment() {
        return flushed.segmentIndex() + random.nextInt(segments.size() - flushed.segmentIndex());
    }

    private int lowestPosition(int segmentIndex) {
        return segmentIndex == flushed.segmentIndex() ? flushed.position() : 0;
    }

    private void truncate() {
        int index = pickSegment();
        Path file = segments.get(index).logFile();
        long length = lengthOf(file);
        int low = lowestPosition(index);
        if (length < low) {
            return;
        }
        long newLength = low + (long) random.nextInt((int) (length - low) + 1);
        setLength(file, newLength);
        done.add("truncated " + file.getFileName() + " to " + newLength);
    }

    private void flipBytes() {
        int index = pickSegment();
        Path file = segments.get(index).logFile();
        long length = lengthOf(file);
        int low = lowestPosition(index);
        if (length <= low) {
            return;
        }
        int flips = 1 + random.nextInt(4);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            for (int flip = 0; flip < flips; flip++) {
                // Half of the flips land close to the flushed place, where headers of the first unflushed batches lie.
                long span = random.nextBoolean() ? Math.min(length - low, 128) : length - low;
                long position = low + (long) (random.nextDouble() * span);
                raf.seek(position);
                int old = raf.read();
                raf.seek(position);
                raf.write(old ^ (1 + random.nextInt(255)));
                done.add("flipped " + file.getFileName() + "@" + position);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void zeroRange() {
        int index = pickSegment();
        Path file = segments.get(index).logFile();
        long length = lengthOf(file);
        int low = lowestPosition(index);
        if (length <= low) {
            return;
        }
        long start = low + (long) (random.nextDouble() * (length - low));
        int count = 1 + random.nextInt((int) Math.min(200, length - start));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(start);
            raf.write(new byte[count]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        done.add("zeroed " + file.getFileName() + "@" + start + "+" + count);
    }

    private void dropUnflushed() {
        Path file = segments.get(flushed.segmentIndex()).logFile();
        if (Files.exists(file)) {
            setLength(file, flushed.position());
        }
        for (int index = flushed.segmentIndex() + 1; index < segments.size(); index++) {
            deleteSegment(index, true);
        }
        done.add("dropped everything unflushed");
    }

    private void vanish() {
        int first = flushed.position() == 0 ? flushed.segmentIndex() : flushed.segmentIndex() + 1;
        for (int index = first; index < segments.size(); index++) {
            if (random.nextBoolean()) {
                deleteSegment(index, random.nextBoolean());
                done.add("vanished " + segments.get(index).logFile().getFileName());
            }
        }
    }

    private void damageIndexes() {
        for (int index = flushed.segmentIndex(); index < segments.size(); index++) {
            if (random.nextBoolean()) {
                continue;
            }
            String base = segments.get(index).logFile().getFileName().toString().replace(".log", "");
            Path directory = segments.get(index).logFile().getParent();
            Path target = directory.resolve(base + (random.nextBoolean() ? ".index" : ".timeindex"));
            if (!Files.exists(target)) {
                continue;
            }
            int how = random.nextInt(3);
            try {
                if (how == 0) {
                    Files.delete(target);
                } else if (how == 1) {
                    setLength(target, random.nextInt(64));
                } else {
                    try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw")) {
                        long length = raf.length();
                        for (int garble = 0; garble < 8 && length > 0; garble++) {
                            raf.seek((long) (random.nextDouble() * Math.min(length, 4096)));
                            raf.write(random.nextInt(256));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            done.add((how == 0 ? "deleted " : how == 1 ? "cut " : "garbled ") + target.getFileName());
        }
    }

    private void deleteSegment(int index, boolean withIndexes) {
        Path log = segments.get(index).logFile();
        String base = log.getFileName().toString().replace(".log", "");
        try {
            Files.deleteIfExists(log);
            if (withIndexes) {
                Files.deleteIfExists(log.resolveSibling(base + ".index"));
                Files.deleteIfExists(log.resolveSibling(base + ".timeindex"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long lengthOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void setLength(Path file, long length) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
