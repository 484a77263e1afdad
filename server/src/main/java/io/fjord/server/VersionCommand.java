package io.fjord.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code fjord version}: prints the build's version. Stateless. */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = FjordVersion.class,
        description = "Print the Fjord version.")
final class VersionCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println(new FjordVersion().getVersion()[0]);
        return 0;
    }
}
