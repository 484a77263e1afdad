package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.TestAuthorizer;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the authorization tests share: alice's connection, a {@link TestAuthorizer} granting nothing until told, an
 * image of the topics named, and an API's checked handler over a recorder that keeps the request the check let
 * through and answers what the test says. Not thread-safe: one per test.
 */
final class AuthorizationFixture {
    static final String ALICE = "User:alice";
    static final RequestContext CONTEXT = new RequestContext(1, "PLAINTEXT",
            new InetSocketAddress("127.0.0.1", 5000), 0, Principal.user("alice"));

    final TestAuthorizer authorizer = new TestAuthorizer();
    /** The body the inner handler was called with; null when the check answered alone. */
    final AtomicReference<ApiMessage> seen = new AtomicReference<>();
    final MetadataCache cache;

    /** @param topics the topics the image has (one partition each), by name and id */
    AuthorizationFixture(Map<String, UUID> topics) {
        Map<String, TopicImage> byName = new HashMap<>();
        Map<UUID, TopicImage> byId = new HashMap<>();
        topics.forEach((name, id) -> {
            TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
            partitions.put(0, new PartitionImage(0, List.of(1), List.of(1), 1, 0, 0));
            TopicImage image = new TopicImage(name, id, partitions);
            byName.put(name, image);
            byId.put(id, image);
        });
        cache = new MetadataCache("cluster", 1, new MetadataImage(1, Map.of(), byName, byId, Map.of(), Map.of(), 0));
    }

    /** The API's checked handler over a recorder answering {@code answer}. */
    ApiHandler wrapped(ApiKey api, ApiMessage answer) {
        return wrapped(api, body -> CompletableFuture.completedFuture(answer));
    }

    /** The API's checked handler over a recorder answering with {@code answer} applied to the request's body. */
    ApiHandler wrapped(ApiKey api, java.util.function.Function<ApiMessage, CompletionStage<ApiMessage>> answer) {
        Map<ApiKey, ApiHandler> handlers = new EnumMap<>(ApiKey.class);
        handlers.put(api, (context, request) -> {
            seen.set(request.body());
            return answer.apply(request.body());
        });
        return AuthorizingHandlers.wrap(handlers, authorizer, cache).get(api);
    }

    static CompletableFuture<ApiMessage> send(ApiHandler handler, ApiKey api, int version, ApiMessage body) {
        return handler.handle(CONTEXT, new DecodedRequest(api, (short) version, 1, "client", (short) 2, body, 0))
                .toCompletableFuture();
    }

    static ApiMessage call(ApiHandler handler, ApiKey api, int version, ApiMessage body) {
        return send(handler, api, version, body).join();
    }
}
