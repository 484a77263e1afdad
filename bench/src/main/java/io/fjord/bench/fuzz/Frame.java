package io.fjord.bench.fuzz;

/**
 * One fuzz frame: the exact bytes sent (4-byte size prefix included, always equal to the body length) and what they
 * were meant to be. Immutable (the array is not copied: producers hand it over), thread-safe.
 *
 * @param index            the frame's index in its run
 * @param kind             how it was made
 * @param api              the API it was built as (its name), or a shape's name
 * @param version          the version it was built at
 * @param correlationId    the correlation id in its header
 * @param expectsResponse  whether the request as built asks for a response (false for acks=0 produce)
 * @param bytes            size prefix and body
 */
record Frame(long index, Kind kind, String api, short version, int correlationId, boolean expectsResponse,
             byte[] bytes) {
    /** How a frame was made. */
    enum Kind {
        /** A well-formed request with sane values. */
        CLEAN,
        /** A well-formed request with hostile field values. */
        FIELDS,
        /** A request whose bytes were flipped, inserted, removed or truncated inside the frame. */
        BYTES,
        /** A special shape: decompression bomb, huge count or length claim, CVE shape, unknown version. */
        SHAPE
    }

    String describe() {
        return "frame " + index + " " + kind + " " + api + " v" + version + " (" + (bytes.length - 4) + " bytes)";
    }
}
