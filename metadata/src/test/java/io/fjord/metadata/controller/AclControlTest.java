package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.acl.Acl;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclPatternType;
import io.fjord.metadata.acl.AclPermissionType;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.acl.AclsImage;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.AccessControlEntryRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.RemoveAccessControlEntryRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.CreateAclsRequestData;
import io.fjord.protocol.message.CreateAclsRequestData.AclCreation;
import io.fjord.protocol.message.CreateAclsResponseData;
import io.fjord.protocol.message.DeleteAclsRequestData;
import io.fjord.protocol.message.DeleteAclsRequestData.DeleteAclsFilter;
import io.fjord.protocol.message.DeleteAclsResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link AclControl}: Kafka's validation of new ACLs, duplicates, DeleteAcls filters and the limits. */
class AclControlTest {
    private final AtomicLong nextId = new AtomicLong(1);
    private final AclControl control = new AclControl(() -> new UUID(0, nextId.getAndIncrement()));

    private static AclCreation creation(AclResourceType type, String name, AclPatternType pattern, String principal,
                                        String host, AclOperation operation, AclPermissionType permission) {
        return new AclCreation().setResourceType(type.code()).setResourceName(name)
                .setResourcePatternType(pattern.code()).setPrincipal(principal).setHost(host)
                .setOperation(operation.code()).setPermissionType(permission.code());
    }

    private static AclCreation readOrders(String principal) {
        return creation(AclResourceType.TOPIC, "orders", AclPatternType.LITERAL, principal, "*", AclOperation.READ,
                AclPermissionType.ALLOW);
    }

    private static MetadataImage applied(MetadataImage image, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(image);
        records.forEach(record -> delta.replay(record, image.offset() + 1));
        return delta.apply();
    }

    private ControllerResult<CreateAclsResponseData> create(MetadataImage image, AclCreation... creations) {
        return control.createAcls(image, new CreateAclsRequestData().setCreations(new ArrayList<>(List.of(creations))));
    }

    @Test
    void validAclsAreCreatedAsOneRecordEach() {
        ControllerResult<CreateAclsResponseData> result = create(MetadataImage.EMPTY, readOrders("User:alice"),
                creation(AclResourceType.CLUSTER, "kafka-cluster", AclPatternType.LITERAL, "User:bob", "10.0.0.1",
                        AclOperation.ALTER, AclPermissionType.DENY),
                creation(AclResourceType.GROUP, "app-", AclPatternType.PREFIXED, "User:*", "*", AclOperation.ALL,
                        AclPermissionType.ALLOW));

        assertThat(result.response().results()).allMatch(r -> r.errorCode() == 0 && r.errorMessage() == null)
                .hasSize(3);
        assertThat(result.records()).hasSize(3).allMatch(record -> record instanceof AccessControlEntryRecord);
        MetadataImage image = applied(MetadataImage.EMPTY, result.records());
        assertThat(image.acls().applyingTo(AclResourceType.GROUP, "app-1")).containsExactly(new Acl(
                AclResourceType.GROUP, "app-", AclPatternType.PREFIXED, "User:*", "*", AclOperation.ALL,
                AclPermissionType.ALLOW));
    }

    @Test
    void invalidAclsAreRefusedOneByOneWithKafkasReasons() {
        Map<AclCreation, String> invalid = new java.util.LinkedHashMap<>();
        invalid.put(creation(AclResourceType.TOPIC, "t", AclPatternType.MATCH, "User:a", "*", AclOperation.READ,
                AclPermissionType.ALLOW), "Invalid patternType MATCH");
        invalid.put(creation(AclResourceType.TOPIC, "t", AclPatternType.ANY, "User:a", "*", AclOperation.READ,
                AclPermissionType.ALLOW), "Invalid patternType ANY");
        invalid.put(creation(AclResourceType.TOPIC, "t", AclPatternType.LITERAL, "User:a", "*", AclOperation.READ,
                AclPermissionType.ALLOW).setResourcePatternType((byte) 42), "Invalid patternType UNKNOWN");
        invalid.put(creation(AclResourceType.ANY, "t", AclPatternType.LITERAL, "User:a", "*", AclOperation.READ,
                AclPermissionType.ALLOW), "Invalid resourceType ANY");
        invalid.put(creation(AclResourceType.TOPIC, "t", AclPatternType.LITERAL, "User:a", "*", AclOperation.ANY,
                AclPermissionType.ALLOW), "Invalid operation ANY");
        invalid.put(creation(AclResourceType.TOPIC, "t", AclPatternType.LITERAL, "User:a", "*", AclOperation.READ,
                AclPermissionType.ANY), "Invalid permissionType ANY");
        invalid.put(creation(AclResourceType.TOPIC, "", AclPatternType.LITERAL, "User:a", "*", AclOperation.READ,
                AclPermissionType.ALLOW), "Resource name should not be empty");
        invalid.put(creation(AclResourceType.CLUSTER, "my-cluster", AclPatternType.LITERAL, "User:a", "*",
                AclOperation.ALTER, AclPermissionType.ALLOW),
                "The only valid name for the CLUSTER resource is kafka-cluster");
        invalid.put(creation(AclResourceType.TOPIC, "t", AclPatternType.LITERAL, "alice", "*", AclOperation.READ,
                AclPermissionType.ALLOW), "Could not parse principal from `alice` (no colon is present separating "
                + "the principal type from the principal name)");
        invalid.put(creation(AclResourceType.TOPIC, "t", AclPatternType.LITERAL, "User:a", "", AclOperation.READ,
                AclPermissionType.ALLOW), "Host should not be empty");
        List<AclCreation> creations = new ArrayList<>(invalid.keySet());
        creations.add(1, readOrders("User:alice"));

        ControllerResult<CreateAclsResponseData> result = create(MetadataImage.EMPTY,
                creations.toArray(AclCreation[]::new));

        assertThat(result.records()).hasSize(1);
        List<CreateAclsResponseData.AclCreationResult> results = new ArrayList<>(result.response().results());
        assertThat(results.remove(1).errorCode()).isZero();
        assertThat(results).extracting(CreateAclsResponseData.AclCreationResult::errorCode)
                .containsOnly(Errors.INVALID_REQUEST.code());
        assertThat(results).extracting(CreateAclsResponseData.AclCreationResult::errorMessage)
                .containsExactlyElementsOf(invalid.values());
    }

    @Test
    void anAclThatExistsOrRepeatsInTheRequestIsNotAddedTwice() {
        MetadataImage image = applied(MetadataImage.EMPTY, create(MetadataImage.EMPTY, readOrders("User:alice"))
                .records());

        ControllerResult<CreateAclsResponseData> again = create(image, readOrders("User:alice"),
                readOrders("User:bob"), readOrders("User:bob"));

        assertThat(again.response().results()).hasSize(3).allMatch(r -> r.errorCode() == 0);
        assertThat(again.records()).hasSize(1);
        assertThat(applied(image, again.records()).acls().size()).isEqualTo(2);
    }

    @Test
    void aTakenIdIsDrawnAgain() {
        MetadataImage image = applied(MetadataImage.EMPTY, create(MetadataImage.EMPTY, readOrders("User:alice"))
                .records());
        nextId.set(1); // the id the first ACL got

        ControllerResult<CreateAclsResponseData> result = create(image, readOrders("User:bob"));

        assertThat(((AccessControlEntryRecord) result.records().get(0)).id()).isEqualTo(new UUID(0, 2));
    }

    private static DeleteAclsFilter filter(AclResourceType type, String name, AclPatternType pattern,
                                           String principal) {
        return new DeleteAclsFilter().setResourceTypeFilter(type.code()).setResourceNameFilter(name)
                .setPatternTypeFilter(pattern.code()).setPrincipalFilter(principal).setHostFilter(null)
                .setOperation(AclOperation.ANY.code()).setPermissionType(AclPermissionType.ANY.code());
    }

    @Test
    void eachFilterAnswersTheAclsItMatchesAndEachIsRemovedOnce() {
        MetadataImage image = applied(MetadataImage.EMPTY, create(MetadataImage.EMPTY, readOrders("User:alice"),
                readOrders("User:bob"),
                creation(AclResourceType.TOPIC, "ord", AclPatternType.PREFIXED, "User:alice", "*",
                        AclOperation.WRITE, AclPermissionType.ALLOW),
                creation(AclResourceType.TOPIC, "*", AclPatternType.LITERAL, "User:carol", "*",
                        AclOperation.DESCRIBE, AclPermissionType.ALLOW),
                creation(AclResourceType.GROUP, "orders", AclPatternType.LITERAL, "User:alice", "*",
                        AclOperation.READ, AclPermissionType.ALLOW)).records());

        ControllerResult<DeleteAclsResponseData> result = control.deleteAcls(image, new DeleteAclsRequestData()
                .setFilters(new ArrayList<>(List.of(
                        filter(AclResourceType.TOPIC, "orders", AclPatternType.LITERAL, "User:alice"),
                        filter(AclResourceType.TOPIC, "orders", AclPatternType.MATCH, "User:alice"),
                        filter(AclResourceType.TOPIC, "nothing", AclPatternType.LITERAL, null),
                        filter(AclResourceType.TOPIC, null, AclPatternType.ANY, null)
                                .setOperation(AclOperation.UNKNOWN.code())))));

        List<DeleteAclsResponseData.DeleteAclsFilterResult> results = result.response().filterResults();
        assertThat(results).hasSize(4);
        assertThat(results.get(0).matchingAcls()).singleElement()
                .satisfies(acl -> assertThat(acl.principal()).isEqualTo("User:alice"));
        assertThat(results.get(1).matchingAcls()).extracting(DeleteAclsResponseData.DeleteAclsMatchingAcl::patternType)
                .containsExactlyInAnyOrder(AclPatternType.LITERAL.code(), AclPatternType.PREFIXED.code());
        assertThat(results.get(2).errorCode()).isZero();
        assertThat(results.get(2).matchingAcls()).isEmpty();
        assertThat(results.get(3).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(result.records()).hasSize(2).allMatch(record -> record instanceof RemoveAccessControlEntryRecord);
        MetadataImage after = applied(image, result.records());
        assertThat(after.acls().size()).isEqualTo(3);
        assertThat(after.acls().applyingTo(AclResourceType.TOPIC, "orders"))
                .extracting(Acl::principal).containsExactlyInAnyOrder("User:bob", "User:carol");
    }

    @Test
    void aRequestOverTheBoundIsRefusedWholeBeforeAnyRecord() {
        AclCreation[] creations = new AclCreation[OperationLimits.RECORDS_PER_OPERATION_MAX + 1];
        for (int i = 0; i < creations.length; i++) {
            creations[i] = readOrders("User:u" + i);
        }
        ControllerResult<CreateAclsResponseData> tooMany = create(MetadataImage.EMPTY, creations);
        assertThat(tooMany.records()).isEmpty();
        assertThat(tooMany.response().results()).hasSize(creations.length)
                .allMatch(r -> r.errorCode() == Errors.POLICY_VIOLATION.code());

        List<DeleteAclsFilter> filters = new ArrayList<>();
        for (int i = 0; i <= OperationLimits.RECORDS_PER_OPERATION_MAX; i++) {
            filters.add(filter(AclResourceType.ANY, null, AclPatternType.ANY, null));
        }
        ControllerResult<DeleteAclsResponseData> tooManyFilters = control.deleteAcls(MetadataImage.EMPTY,
                new DeleteAclsRequestData().setFilters(filters));
        assertThat(tooManyFilters.records()).isEmpty();
        assertThat(tooManyFilters.response().filterResults())
                .allMatch(r -> r.errorCode() == Errors.POLICY_VIOLATION.code());
    }

    @Test
    void filtersMatchingMoreAclsThanTheBoundAreRefusedWhole() {
        Map<UUID, Acl> acls = new HashMap<>();
        for (int i = 0; i < 6000; i++) {
            acls.put(new UUID(1, i), new Acl(AclResourceType.TOPIC, "t" + i, AclPatternType.LITERAL, "User:a", "*",
                    AclOperation.READ, AclPermissionType.ALLOW));
        }
        MetadataImage image = withAcls(AclsImage.of(acls));
        DeleteAclsFilter everything = filter(AclResourceType.ANY, null, AclPatternType.ANY, null);

        ControllerResult<DeleteAclsResponseData> twice = control.deleteAcls(image, new DeleteAclsRequestData()
                .setFilters(new ArrayList<>(List.of(everything, filter(AclResourceType.ANY, null, AclPatternType.ANY, null)))));

        assertThat(twice.records()).isEmpty();
        assertThat(twice.response().filterResults()).hasSize(2)
                .allMatch(r -> r.errorCode() == Errors.POLICY_VIOLATION.code() && r.matchingAcls().isEmpty());
        assertThat(control.deleteAcls(image, new DeleteAclsRequestData().setFilters(new ArrayList<>(
                List.of(everything)))).records()).hasSize(6000);
    }

    @Test
    void noAclIsCreatedPastTheClusterBound() {
        Map<UUID, Acl> acls = new HashMap<>();
        for (int i = 0; i < AclControl.ACLS_MAX; i++) {
            acls.put(new UUID(1, i), new Acl(AclResourceType.TOPIC, "t" + i, AclPatternType.LITERAL, "User:a", "*",
                    AclOperation.READ, AclPermissionType.ALLOW));
        }
        MetadataImage full = withAcls(AclsImage.of(acls));

        ControllerResult<CreateAclsResponseData> result = create(full, readOrders("User:alice"));

        assertThat(result.records()).isEmpty();
        assertThat(result.response().results()).singleElement()
                .satisfies(r -> assertThat(r.errorCode()).isEqualTo(Errors.POLICY_VIOLATION.code()));
    }

    private static MetadataImage withAcls(AclsImage acls) {
        MetadataImage empty = MetadataImage.EMPTY;
        return new MetadataImage(empty.offset(), empty.brokers(), empty.topicsByName(), empty.topicsById(),
                empty.topicConfigs(), empty.brokerConfigs(), empty.nextProducerId(), empty.groupConfigs(),
                empty.features(), empty.lastBrokerEpoch(), empty.scramCredentials(), acls);
    }
}
