package io.fjord.broker.coordinator.group;

/**
 * What the coordinator needs to know about a request besides its body: the driver's id for it (echoed in the
 * {@link Reply} that answers it, possibly many calls later), the API version it came with (response fields and some
 * rules depend on it) and the client's id and host (recorded for members). Immutable.
 */
public record RequestContext(long requestId, short apiVersion, String clientId, String clientHost) {
}
