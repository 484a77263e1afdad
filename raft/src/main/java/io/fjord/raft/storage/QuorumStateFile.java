package io.fjord.raft.storage;

import io.fjord.raft.DurableState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code quorum-state} file of a Raft node: its epoch, the voter it voted for in that epoch and the leader it
 * knows, as the JSON object Kafka's KRaft writes (data version 1: {@code leaderId}, {@code leaderEpoch},
 * {@code votedId}, {@code votedDirectoryId}). A write is atomic and durable before it returns: the new content goes
 * to {@code quorum-state.tmp}, which is fsync'd, renamed over the file, and the directory is fsync'd, so a crash
 * leaves either the old or the new state, never a mix.
 *
 * <p>Not thread-safe: the driver's thread owns it.
 */
public final class QuorumStateFile {
    public static final String FILE_NAME = "quorum-state";
    private static final int MAX_FILE_BYTES = 64 * 1024;
    private static final Pattern INT_FIELD = Pattern.compile("\"(leaderId|leaderEpoch|votedId)\"\\s*:\\s*(-?\\d+)");
    /** Kafka's ReplicaKey.NO_DIRECTORY_ID (the zero UUID) in base64, as Kafka writes it. */
    private static final String NO_DIRECTORY_ID = "AAAAAAAAAAAAAAAAAAAAAA";

    private final Path directory;
    private final Path file;

    public QuorumStateFile(Path directory) {
        this.directory = directory;
        this.file = directory.resolve(FILE_NAME);
    }

    public Path path() {
        return file;
    }

    /** The state and leader in the file; the initial state (epoch 0, no vote, no leader) if there is no file. */
    public Stored read() throws IOException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Stored(DurableState.INITIAL, -1);
        }
        String json = new String(bytes, StandardCharsets.UTF_8);
        int leaderId = -1;
        int epoch = -1;
        int votedId = DurableState.NO_VOTE;
        Matcher matcher = INT_FIELD.matcher(json);
        try {
            while (matcher.find()) {
                int value = Integer.parseInt(matcher.group(2));
                switch (matcher.group(1)) {
                    case "leaderId" -> leaderId = value;
                    case "leaderEpoch" -> epoch = value;
                    default -> votedId = value;
                }
            }
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds a number out of range: " + json, e);
        }
        if (epoch < 0) {
            throw new IOException(file + " has no leaderEpoch: " + json);
        }
        return new Stored(new DurableState(epoch, votedId), leaderId);
    }

    /** Replaces the file with {@code state} and {@code leaderId} (-1 if none), durably, before returning. */
    public void write(DurableState state, int leaderId) throws IOException {
        String json = "{\"leaderId\":" + leaderId + ",\"leaderEpoch\":" + state.epoch() + ",\"votedId\":"
                + state.votedId() + ",\"votedDirectoryId\":\"" + NO_DIRECTORY_ID + "\",\"data_version\":1}";
        Path temporary = directory.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(directory);
    }

    /** Makes a rename in {@code directory} durable (Linux allows fsync of a directory opened for reading). */
    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** What the file holds: the durable state and the leader the node knew when it wrote it. */
    public record Stored(DurableState state, int leaderId) {
    }
}
