package io.fjord.protocol.codec;

import io.fjord.protocol.message.ApiKey;

/** Which versions of an API a node serves; the decoder refuses others. Implementations are thread-safe. */
@FunctionalInterface
public interface SupportedVersions {
    /** Whether {@code version} of {@code apiKey} is served. */
    boolean supports(ApiKey apiKey, short version);
}
