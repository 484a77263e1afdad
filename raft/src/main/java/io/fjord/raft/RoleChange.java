package io.fjord.raft;

/** A replica's role, epoch and known leader ({@code -1} if none) after a transition. */
public record RoleChange(Role role, int epoch, int leaderId) {
}
