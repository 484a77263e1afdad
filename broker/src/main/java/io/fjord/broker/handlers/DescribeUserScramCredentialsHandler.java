package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.scram.ScramCredential;
import io.fjord.metadata.scram.ScramMechanism;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeUserScramCredentialsRequestData;
import io.fjord.protocol.message.DescribeUserScramCredentialsResponseData;
import io.fjord.protocol.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import io.fjord.protocol.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DescribeUserScramCredentials (KIP-554, {@code kafka-configs --describe --entity-type users}), answered from the
 * node's metadata image as Kafka 4.4's brokers answer it: each user's mechanisms and iteration counts (never salts or
 * keys); all users with credentials when the request names none (null or empty list); a user named without
 * credentials RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE (Kafka's messages). Thread-safe: reads the
 * current image once per request.
 */
public final class DescribeUserScramCredentialsHandler implements ApiHandler {
    private final MetadataCache cache;

    public DescribeUserScramCredentialsHandler(MetadataCache cache) {
        this.cache = cache;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        DescribeUserScramCredentialsRequestData body = (DescribeUserScramCredentialsRequestData) request.body();
        MetadataImage image = cache.image();
        DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsResponseData();
        if (body.users() == null || body.users().isEmpty()) {
            new TreeMap<>(image.scramCredentials()).forEach((user, credentials) ->
                    response.results().add(described(user, credentials)));
            return CompletableFuture.completedFuture(response);
        }
        Map<String, Integer> timesNamed = new HashMap<>();
        body.users().forEach(user -> timesNamed.merge(user.name(), 1, Integer::sum));
        for (DescribeUserScramCredentialsRequestData.UserName named : body.users()) {
            String user = named.name();
            if (timesNamed.get(user) > 1) {
                if (timesNamed.put(user, -1) != -1) { // one result per duplicated user
                    response.results().add(new DescribeUserScramCredentialsResult().setUser(user)
                            .setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                            .setErrorMessage("Cannot describe SCRAM credentials for the same user twice in a "
                                    + "single request: " + user));
                }
                continue;
            }
            if (timesNamed.get(user) == -1) {
                continue;
            }
            Map<ScramMechanism, ScramCredential> credentials = image.scramCredentials().get(user);
            if (credentials == null || credentials.isEmpty()) {
                response.results().add(new DescribeUserScramCredentialsResult().setUser(user)
                        .setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                        .setErrorMessage("Attempt to describe a user credential that does not exist: " + user));
            } else {
                response.results().add(described(user, credentials));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private static DescribeUserScramCredentialsResult described(String user,
            Map<ScramMechanism, ScramCredential> credentials) {
        DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
        new TreeMap<>(credentials).forEach((mechanism, credential) -> result.credentialInfos().add(
                new CredentialInfo().setMechanism(mechanism.type()).setIterations(credential.iterations())));
        return result;
    }
}
