package io.fjord.metadata.controller;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.RemoveUserScramCredentialRecord;
import io.fjord.metadata.records.UserScramCredentialRecord;
import io.fjord.metadata.scram.ScramFunctions;
import io.fjord.metadata.scram.ScramMechanism;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterUserScramCredentialsRequestData;
import io.fjord.protocol.message.AlterUserScramCredentialsResponseData;
import io.fjord.protocol.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AlterUserScramCredentials (KIP-554, {@code kafka-configs --alter --add-config 'SCRAM-SHA-256=[password=...]'
 * --entity-type users}) on the active controller, Kafka 4.4's ScramControlManager rules, as a pure function of the
 * image. The client sends the salt and the salted password; the controller keeps only StoredKey and ServerKey
 * ({@link UserScramCredentialRecord}). One result per user named, in the order first named (deletions first): a user
 * named more than once is DUPLICATE_RESOURCE and nothing of it changes; an empty name is UNACCEPTABLE_CREDENTIAL, an
 * unknown mechanism UNSUPPORTED_SASL_MECHANISM, iterations out of {@link ScramMechanism#MIN_ITERATIONS} ..
 * {@link ScramMechanism#MAX_ITERATIONS} UNACCEPTABLE_CREDENTIAL, deleting a credential that does not exist
 * RESOURCE_NOT_FOUND (Kafka's messages). Other users' changes still apply.
 *
 * <p>Stateless; thread-safe.
 */
public final class ScramControl {
    /** An error for one user, or success. */
    private record Outcome(Errors error, String message) {
        static final Outcome OK = new Outcome(Errors.NONE, null);
    }

    public ControllerResult<AlterUserScramCredentialsResponseData> alterUserScramCredentials(MetadataImage image,
            AlterUserScramCredentialsRequestData request) {
        Map<String, Integer> timesNamed = new HashMap<>();
        request.deletions().forEach(deletion -> timesNamed.merge(deletion.name(), 1, Integer::sum));
        request.upsertions().forEach(upsertion -> timesNamed.merge(upsertion.name(), 1, Integer::sum));
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        List<MetadataRecord> records = new ArrayList<>();
        for (AlterUserScramCredentialsRequestData.ScramCredentialDeletion deletion : request.deletions()) {
            Outcome outcome = check(deletion.name(), deletion.mechanism(), timesNamed);
            if (outcome == Outcome.OK) {
                ScramMechanism mechanism = ScramMechanism.fromType(deletion.mechanism()).orElseThrow();
                if (image.scramCredential(deletion.name(), mechanism).isEmpty()) {
                    outcome = new Outcome(Errors.RESOURCE_NOT_FOUND,
                            "Attempt to delete a user credential that does not exist");
                } else {
                    records.add(new RemoveUserScramCredentialRecord(deletion.name(), mechanism.type()));
                }
            }
            outcomes.putIfAbsent(deletion.name(), outcome);
        }
        for (AlterUserScramCredentialsRequestData.ScramCredentialUpsertion upsertion : request.upsertions()) {
            Outcome outcome = check(upsertion.name(), upsertion.mechanism(), timesNamed);
            if (outcome == Outcome.OK) {
                ScramMechanism mechanism = ScramMechanism.fromType(upsertion.mechanism()).orElseThrow();
                if (upsertion.iterations() < ScramMechanism.MIN_ITERATIONS) {
                    outcome = new Outcome(Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
                } else if (upsertion.iterations() > ScramMechanism.MAX_ITERATIONS) {
                    outcome = new Outcome(Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
                } else {
                    records.add(new UserScramCredentialRecord(upsertion.name(), mechanism.type(),
                            new ScramFunctions(mechanism).credential(upsertion.salt(), upsertion.saltedPassword(),
                                    upsertion.iterations())));
                }
            }
            outcomes.putIfAbsent(upsertion.name(), outcome);
        }
        AlterUserScramCredentialsResponseData response = new AlterUserScramCredentialsResponseData();
        outcomes.forEach((user, outcome) -> response.results().add(new AlterUserScramCredentialsResult()
                .setUser(user).setErrorCode(outcome.error().code()).setErrorMessage(outcome.message())));
        return new ControllerResult<>(records, response);
    }

    private static Outcome check(String user, byte mechanism, Map<String, Integer> timesNamed) {
        if (timesNamed.get(user) > 1) {
            return new Outcome(Errors.DUPLICATE_RESOURCE, "A user credential cannot be altered twice in the same request");
        }
        if (user == null || user.isEmpty()) {
            return new Outcome(Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
        }
        if (ScramMechanism.fromType(mechanism).isEmpty()) {
            return new Outcome(Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
        }
        return Outcome.OK;
    }
}
