package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A request whose items (groups, topics) were each checked: the handler gets the allowed ones, and the denied ones'
 * error answer, built as the API answers an error, is added to its response, as Kafka's handlers merge them. A request
 * with nothing allowed is answered without the handler.
 *
 * <p>Stateless; thread-safe.
 */
final class PartlyAllowed {
    private PartlyAllowed() {
    }

    /**
     * @param items      the request's items, in its order
     * @param allowed    whether the principal may act on an item
     * @param keepOnly   sets the request's items to the allowed ones
     * @param deniedAnswer the API's error response for the denied items
     * @param addDenied  adds the denied items' answers to the handler's response of type {@code responseType}
     */
    static <T, R extends ApiMessage> CompletionStage<ApiMessage> handle(RequestContext context,
            DecodedRequest request, ApiHandler handler, List<T> items, Predicate<T> allowed,
            Consumer<List<T>> keepOnly, Function<List<T>, R> deniedAnswer, Class<R> responseType,
            BiConsumer<R, R> addDenied) {
        List<T> kept = new ArrayList<>();
        List<T> denied = new ArrayList<>();
        for (T item : items) {
            (allowed.test(item) ? kept : denied).add(item);
        }
        if (denied.isEmpty()) {
            return handler.handle(context, request);
        }
        R deniedResponse = deniedAnswer.apply(denied);
        if (kept.isEmpty()) {
            return CompletableFuture.completedFuture(deniedResponse);
        }
        keepOnly.accept(kept);
        return handler.handle(context, request).thenApply(response -> {
            if (responseType.isInstance(response)) {
                addDenied.accept(responseType.cast(response), deniedResponse);
            }
            return response;
        });
    }
}
