package io.fjord.server;

import io.fjord.storage.Base64Uuids;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code fjord random-uuid}: prints a new cluster id, as Kafka's {@code kafka-storage random-uuid}. Stateless. */
@Command(name = "random-uuid", mixinStandardHelpOptions = true, versionProvider = FjordVersion.class,
        description = {"Print a new random cluster id (Kafka's form: 22 characters of URL-safe base64)",
                "for fjord format --cluster-id."})
final class RandomUuidCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println(Base64Uuids.encode(Base64Uuids.random(UUID::randomUUID)));
        return 0;
    }
}
