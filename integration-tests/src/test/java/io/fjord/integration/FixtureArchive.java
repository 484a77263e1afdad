package io.fjord.integration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Packs data directories into a zip and unpacks them, for upgrade fixtures. Entries are sorted and carry a fixed
 * time, so packing the same directories twice gives the same bytes. Unpacking is bounded (entries, bytes) and keeps
 * every entry inside the target. Stateless.
 */
final class FixtureArchive {
    private static final int ENTRIES_MAX = 10_000;
    private static final long UNPACKED_BYTES_MAX = 256L * 1024 * 1024;
    private static final FileTime ENTRY_TIME = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));

    private FixtureArchive() {
    }

    /** Zips each of {@code directories} (names under {@code root}) with everything below it, empty files too. */
    static void pack(Path root, List<String> directories, OutputStream output) throws IOException {
        List<Path> paths = new ArrayList<>();
        for (String directory : directories) {
            try (Stream<Path> walk = Files.walk(root.resolve(directory))) {
                walk.forEach(paths::add);
            }
        }
        paths.sort(null);
        try (ZipOutputStream zip = new ZipOutputStream(output)) {
            zip.setLevel(9);
            for (Path path : paths) {
                String name = root.relativize(path).toString().replace('\\', '/');
                boolean directory = Files.isDirectory(path);
                ZipEntry entry = new ZipEntry(directory ? name + "/" : name);
                entry.setLastModifiedTime(ENTRY_TIME);
                zip.putNextEntry(entry);
                if (!directory) {
                    Files.copy(path, zip);
                }
                zip.closeEntry();
            }
        }
    }

    /** Unzips into {@code target}; fails on an entry outside it, too many entries or too many bytes. */
    static void unpack(InputStream input, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        int entries = 0;
        long bytes = 0;
        byte[] chunk = new byte[64 * 1024];
        try (ZipInputStream zip = new ZipInputStream(input)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (++entries > ENTRIES_MAX) {
                    throw new IOException("A fixture has at most " + ENTRIES_MAX + " entries");
                }
                Path path = root.resolve(entry.getName()).normalize();
                if (!path.startsWith(root)) {
                    throw new IOException("Entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    continue;
                }
                Files.createDirectories(path.getParent());
                try (OutputStream file = Files.newOutputStream(path)) {
                    for (int read = zip.read(chunk); read >= 0; read = zip.read(chunk)) {
                        bytes += read;
                        if (bytes > UNPACKED_BYTES_MAX) {
                            throw new IOException("A fixture unpacks to at most " + UNPACKED_BYTES_MAX + " bytes");
                        }
                        file.write(chunk, 0, read);
                    }
                }
            }
        }
    }
}
