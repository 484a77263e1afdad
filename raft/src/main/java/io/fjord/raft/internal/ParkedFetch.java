package io.fjord.raft.internal;

import io.fjord.raft.FetchRequest;

/** A fetch a leader holds until it has something new for it or {@code deadlineMs} passes. */
record ParkedFetch(FetchRequest request, long deadlineMs) {
}
