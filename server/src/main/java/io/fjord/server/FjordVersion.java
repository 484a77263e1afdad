package io.fjord.server;

import picocli.CommandLine;

/** The version of this build, from the jar manifest (or "development" when run from classes). Thread-safe. */
public final class FjordVersion implements CommandLine.IVersionProvider {
    /** The version string. */
    public static String version() {
        String version = FjordVersion.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"Fjord " + version() + " (Kafka protocol of kafka-clients 4.4.0), Java "
                + Runtime.version()};
    }
}
