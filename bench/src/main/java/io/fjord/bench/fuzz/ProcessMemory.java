package io.fjord.bench.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Memory of a process on Linux: resident set size now and at its peak ({@code VmRSS}, {@code VmHWM} of
 * {@code /proc/<pid>/status}) and, for a JVM, the heap in use ({@code jstat -gc}). Values are -1 when unknown.
 * Stateless, thread-safe.
 *
 * @param residentMegabytes     resident set now
 * @param peakResidentMegabytes resident set at its peak
 * @param heapUsedMegabytes     heap in use (young and old generations)
 */
record ProcessMemory(long residentMegabytes, long peakResidentMegabytes, long heapUsedMegabytes) {
    static ProcessMemory of(long pid) {
        long resident = -1;
        long peak = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"),
                    StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    resident = kilobytes(line) / 1024;
                } else if (line.startsWith("VmHWM:")) {
                    peak = kilobytes(line) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or the process is gone: unknown.
        }
        return new ProcessMemory(resident, peak, heapUsed(pid));
    }

    private static long kilobytes(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    /** Heap in use from {@code jstat -gc <pid>} (S0U + S1U + EU + OU, in KB), or -1. */
    private static long heapUsed(long pid) {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        if (!Files.isExecutable(jstat)) {
            return -1;
        }
        try {
            Process process = new ProcessBuilder(jstat.toString(), "-gc", Long.toString(pid))
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readNBytes(8192), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            String[] lines = output.trim().split("\n");
            if (lines.length < 2) {
                return -1;
            }
            String[] names = lines[0].trim().split("\\s+");
            String[] values = lines[1].trim().split("\\s+");
            double used = 0;
            for (int index = 0; index < names.length && index < values.length; index++) {
                if (names[index].equals("S0U") || names[index].equals("S1U") || names[index].equals("EU")
                        || names[index].equals("OU")) {
                    used += Double.parseDouble(values[index]);
                }
            }
            return (long) (used / 1024);
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public String toString() {
        return "RSS " + residentMegabytes + " MB (peak " + peakResidentMegabytes + " MB), heap in use "
                + heapUsedMegabytes + " MB";
    }
}
