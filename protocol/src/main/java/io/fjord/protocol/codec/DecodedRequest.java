package io.fjord.protocol.codec;

import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;

/**
 * A request read from a frame: its API, version, header fields and body in Fjord's classes. The body may share
 * bytes with the frame (records of a produce request), so the frame must stay untouched while the body is in use.
 *
 * @param headerVersion  1 or 2: the version of the request header that was read (decides the response header)
 * @param sizeBytes      bytes of the frame, for accounting of memory in flight
 */
public record DecodedRequest(ApiKey apiKey, short apiVersion, int correlationId, String clientId, short headerVersion,
                             ApiMessage body, int sizeBytes) {
}
