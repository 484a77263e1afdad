package io.fjord.storage.internal.cleaner;

/** The cleaned output of a group of segments would overflow its index files; the group must be split. Immutable. */
final class GroupTooLargeException extends RuntimeException {
    GroupTooLargeException(String message) {
        super(message, null, false, false);
    }
}
