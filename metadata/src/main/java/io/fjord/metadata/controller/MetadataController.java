package io.fjord.metadata.controller;

import io.fjord.metadata.image.MetadataImage;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Where metadata changes are decided and made durable: an operation decides from the current image (a pure
 * function returning records and a response), its records are committed to the metadata log as one entry, and the
 * response completes only once they are committed and applied to this node's image. A failed operation commits
 * nothing; its future fails ({@code NotControllerException} when this node is not the active controller).
 *
 * <p>Implementations are thread-safe.
 */
public interface MetadataController {
    <T> CompletableFuture<T> submit(Function<MetadataImage, ControllerResult<T>> operation);
}
