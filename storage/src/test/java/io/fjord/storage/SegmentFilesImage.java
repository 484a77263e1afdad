package io.fjord.storage;

import io.fjord.protocol.records.RecordBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of the segment files of a closed log and where their batches lie, taken before a test damages the files,
 * so the test can tell afterwards which byte of data was the first one damaged. Not thread-safe.
 */
public final class SegmentFilesImage {
    /** A batch's place in its segment file. */
    public record BatchPlace(long baseOffset, long nextOffset, int position, int sizeBytes) {
        int endPosition() {
            return position + sizeBytes;
        }
    }

    /** One segment file: its bytes, and the length its batches cover (a preallocated file has zeros after). */
    public record SegmentImage(long baseOffset, Path logFile, byte[] bytes, int dataLength, List<BatchPlace> batches) {
    }

    /** Where the first damaged data byte is: segment index in base-offset order and position. */
    public record Place(int segmentIndex, int position) implements Comparable<Place> {
        @Override
        public int compareTo(Place other) {
            return segmentIndex != other.segmentIndex ? Integer.compare(segmentIndex, other.segmentIndex)
                    : Integer.compare(position, other.position);
        }
    }

    private final List<SegmentImage> segments;

    private SegmentFilesImage(List<SegmentImage> segments) {
        this.segments = segments;
    }

    public static SegmentFilesImage of(Path directory) {
        List<SegmentImage> images = new ArrayList<>();
        for (Path file : logFiles(directory)) {
            byte[] bytes = readAll(file);
            List<BatchPlace> places = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            int position = 0;
            while (bytes.length - position >= RecordBatch.HEADER_SIZE_BYTES) {
                RecordBatch batch = new RecordBatch(buffer, position);
                int length = batch.batchLength();
                if (length < RecordBatch.HEADER_SIZE_BYTES - RecordBatch.LOG_OVERHEAD_BYTES
                        || length > bytes.length - position - RecordBatch.LOG_OVERHEAD_BYTES) {
                    break;
                }
                places.add(new BatchPlace(batch.baseOffset(), batch.nextOffset(), position, batch.sizeInBytes()));
                position += batch.sizeInBytes();
            }
            String name = file.getFileName().toString();
            images.add(new SegmentImage(Long.parseLong(name.substring(0, 20)), file, bytes, position, places));
        }
        return new SegmentFilesImage(images);
    }

    public List<SegmentImage> segments() {
        return segments;
    }

    /**
     * Where the unflushed data begins for a recovery point: the first batch whose base offset is at least the
     * recovery point (a flush forces whole segment files, so a batch holding the recovery point was flushed whole),
     * or the end of the last segment's data.
     */
    public Place flushedPlace(long recoveryPoint) {
        for (int index = 0; index < segments.size(); index++) {
            for (BatchPlace batch : segments.get(index).batches()) {
                if (batch.baseOffset() >= recoveryPoint) {
                    return new Place(index, batch.position());
                }
            }
        }
        int last = segments.size() - 1;
        return new Place(last, segments.get(last).dataLength());
    }

    /** The first data byte that differs now from this image, or null if the data is unchanged. */
    public Place firstDamage() {
        for (int index = 0; index < segments.size(); index++) {
            SegmentImage segment = segments.get(index);
            if (segment.dataLength() == 0) {
                continue;
            }
            if (!Files.exists(segment.logFile())) {
                return new Place(index, 0);
            }
            byte[] now = readAll(segment.logFile());
            for (int position = 0; position < segment.dataLength(); position++) {
                if (position >= now.length || now[position] != segment.bytes()[position]) {
                    return new Place(index, position);
                }
            }
        }
        return null;
    }

    /** The offset after the last batch that lies wholly before {@code damage} (everything when null). */
    public long intactEndOffset(Place damage, long logStartOffset) {
        long end = logStartOffset;
        for (int index = 0; index < segments.size(); index++) {
            for (BatchPlace batch : segments.get(index).batches()) {
                if (damage != null && (index > damage.segmentIndex()
                        || (index == damage.segmentIndex() && batch.endPosition() > damage.position()))) {
                    return end;
                }
                end = batch.nextOffset();
            }
        }
        return end;
    }

    static List<Path> logFiles(Path directory) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*.log")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(null);
        return files;
    }

    static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
