package io.fjord.raft.transport;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddRaftVoterResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.RemoveRaftVoterResponseData;

/**
 * The answer to a voter change on a quorum whose voters are fixed by configuration ({@code controller.quorum.voters}):
 * UNSUPPORTED_VERSION, as Kafka answers AddRaftVoter and RemoveRaftVoter on a static quorum (its {@code kraft.version}
 * is 0). Changing the voters there would leave every node's configured voters, which name the controllers that other
 * nodes forward to, out of step with the log's. Stateless; thread-safe.
 */
final class StaticVoters {
    static final String MESSAGE = "The quorum's voters are static (controller.quorum.voters), so controllers cannot be"
            + " added or removed; dynamic quorums (KIP-853) are configured with controller.quorum.bootstrap.servers"
            + " and fjord format --standalone, --initial-controllers or --no-initial-controllers";

    private StaticVoters() {
    }

    static ApiMessage refusal(ApiKey api) {
        return switch (api) {
            case ADD_RAFT_VOTER -> new AddRaftVoterResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                    .setErrorMessage(MESSAGE);
            case REMOVE_RAFT_VOTER -> new RemoveRaftVoterResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setErrorMessage(MESSAGE);
            default -> throw new IllegalArgumentException(api + " is not a voter change");
        };
    }
}
