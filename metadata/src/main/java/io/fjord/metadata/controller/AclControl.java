package io.fjord.metadata.controller;

import io.fjord.metadata.acl.Acl;
import io.fjord.metadata.acl.AclCodes;
import io.fjord.metadata.acl.AclFilter;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclPatternType;
import io.fjord.metadata.acl.AclPermissionType;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.acl.AclsImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.AccessControlEntryRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.RemoveAccessControlEntryRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.CreateAclsRequestData;
import io.fjord.protocol.message.CreateAclsResponseData;
import io.fjord.protocol.message.CreateAclsResponseData.AclCreationResult;
import io.fjord.protocol.message.DeleteAclsRequestData;
import io.fjord.protocol.message.DeleteAclsResponseData;
import io.fjord.protocol.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import io.fjord.protocol.message.DeleteAclsResponseData.DeleteAclsMatchingAcl;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * CreateAcls and DeleteAcls ({@code kafka-acls --add / --remove}, {@code Admin.createAcls / deleteAcls}) on the
 * active controller, Kafka 4.4's AclControlManager rules, as a pure function of the image and the injected id source.
 *
 * <p>CreateAcls: one result per creation, in order. A creation is INVALID_REQUEST when its pattern type is not
 * LITERAL or PREFIXED, its resource type, operation or permission type is ANY or UNKNOWN, its resource name is
 * empty, a CLUSTER resource is not named {@code kafka-cluster}, its principal is not {@code Type:name} or its host is
 * empty (Kafka's messages). An ACL equal to one that exists (or to an earlier creation of the request) succeeds
 * without a record. DeleteAcls: one result per filter, with every ACL it matches ({@link AclFilter}); an UNKNOWN
 * element makes the filter INVALID_REQUEST. Each ACL matched is removed once. All records of a request are one
 * operation, so they commit together.
 *
 * <p>Limits, checked before any result or record is built: a request with more than
 * {@link OperationLimits#RECORDS_PER_OPERATION_MAX} creations or filters, or whose filters match more ACLs in total,
 * is refused whole with POLICY_VIOLATION; a creation that would take the cluster past {@link #ACLS_MAX} ACLs is
 * POLICY_VIOLATION.
 *
 * <p>Stateless apart from the id source; thread-safe when it is.
 */
public final class AclControl {
    /** The most ACLs the cluster holds: each is kept in every node's image and indexed in memory. */
    public static final int ACLS_MAX = 100_000;

    private final Supplier<UUID> randomIds;

    /** @param randomIds new ACL ids (Kafka's random UUIDs); one taken already is drawn again */
    public AclControl(Supplier<UUID> randomIds) {
        this.randomIds = randomIds;
    }

    public ControllerResult<CreateAclsResponseData> createAcls(MetadataImage image, CreateAclsRequestData request) {
        CreateAclsResponseData response = new CreateAclsResponseData();
        List<CreateAclsRequestData.AclCreation> creations = request.creations();
        if (creations.size() > OperationLimits.RECORDS_PER_OPERATION_MAX) {
            creations.forEach(creation -> response.results().add(result(Errors.POLICY_VIOLATION,
                    OperationLimits.TOO_MANY_RECORDS)));
            return new ControllerResult<>(List.of(), response);
        }
        AclsImage acls = image.acls();
        List<MetadataRecord> records = new ArrayList<>();
        Set<Acl> created = new HashSet<>();
        Set<UUID> usedIds = new HashSet<>();
        for (CreateAclsRequestData.AclCreation creation : creations) {
            Acl acl = new Acl(AclCodes.resourceType(creation.resourceType()), creation.resourceName(),
                    AclCodes.patternType(creation.resourcePatternType()), creation.principal(), creation.host(),
                    AclCodes.operation(creation.operation()), AclCodes.permissionType(creation.permissionType()));
            String invalid = invalidReason(acl);
            if (invalid != null) {
                response.results().add(result(Errors.INVALID_REQUEST, invalid));
            } else if (acls.contains(acl) || created.contains(acl)) {
                response.results().add(result(Errors.NONE, null));
            } else if (acls.size() + created.size() >= ACLS_MAX) {
                response.results().add(result(Errors.POLICY_VIOLATION,
                        "The cluster already holds the most ACLs it may hold (" + ACLS_MAX + ")"));
            } else {
                UUID id = newId(acls, usedIds);
                created.add(acl);
                records.add(AccessControlEntryRecord.of(id, acl));
                response.results().add(result(Errors.NONE, null));
            }
        }
        return new ControllerResult<>(records, response);
    }

    public ControllerResult<DeleteAclsResponseData> deleteAcls(MetadataImage image, DeleteAclsRequestData request) {
        DeleteAclsResponseData response = new DeleteAclsResponseData();
        List<DeleteAclsRequestData.DeleteAclsFilter> filters = request.filters();
        if (filters.size() > OperationLimits.RECORDS_PER_OPERATION_MAX) {
            return refused(filters.size());
        }
        List<Map<UUID, Acl>> matches = new ArrayList<>(filters.size());
        long matchedTotal = 0;
        for (DeleteAclsRequestData.DeleteAclsFilter wire : filters) {
            AclFilter filter = new AclFilter(AclCodes.resourceType(wire.resourceTypeFilter()),
                    wire.resourceNameFilter(), AclCodes.patternType(wire.patternTypeFilter()), wire.principalFilter(),
                    wire.hostFilter(), AclCodes.operation(wire.operation()),
                    AclCodes.permissionType(wire.permissionType()));
            if (filter.isUnknown()) {
                matches.add(null);
                continue;
            }
            Map<UUID, Acl> matched = image.acls().matching(filter);
            matchedTotal += matched.size();
            if (matchedTotal > OperationLimits.RECORDS_PER_OPERATION_MAX) {
                return refused(filters.size());
            }
            matches.add(matched);
        }
        Set<UUID> removed = new LinkedHashSet<>();
        for (Map<UUID, Acl> matched : matches) {
            DeleteAclsFilterResult result = new DeleteAclsFilterResult();
            if (matched == null) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("The filter contains UNKNOWN "
                        + "elements");
            } else {
                matched.forEach((id, acl) -> {
                    removed.add(id);
                    result.matchingAcls().add(new DeleteAclsMatchingAcl().setResourceType(acl.resourceType().code())
                            .setResourceName(acl.resourceName()).setPatternType(acl.patternType().code())
                            .setPrincipal(acl.principal()).setHost(acl.host())
                            .setOperation(acl.operation().code())
                            .setPermissionType(acl.permissionType().code()));
                });
            }
            response.filterResults().add(result);
        }
        List<MetadataRecord> records = new ArrayList<>(removed.size());
        removed.forEach(id -> records.add(new RemoveAccessControlEntryRecord(id)));
        return new ControllerResult<>(records, response);
    }

    /** Kafka's reason a new ACL is refused, null when it is valid. */
    static String invalidReason(Acl acl) {
        if (acl.patternType() != AclPatternType.LITERAL && acl.patternType() != AclPatternType.PREFIXED) {
            return "Invalid patternType " + acl.patternType();
        }
        if (acl.resourceType() == AclResourceType.ANY || acl.resourceType() == AclResourceType.UNKNOWN) {
            return "Invalid resourceType " + acl.resourceType();
        }
        if (acl.operation() == AclOperation.ANY || acl.operation() == AclOperation.UNKNOWN) {
            return "Invalid operation " + acl.operation();
        }
        if (acl.permissionType() != AclPermissionType.ALLOW && acl.permissionType() != AclPermissionType.DENY) {
            return "Invalid permissionType " + acl.permissionType();
        }
        if (acl.resourceName().isEmpty()) {
            return "Resource name should not be empty";
        }
        if (acl.resourceType() == AclResourceType.CLUSTER
                && !acl.resourceName().equals(AclResourceType.CLUSTER_NAME)) {
            return "The only valid name for the CLUSTER resource is " + AclResourceType.CLUSTER_NAME;
        }
        if (acl.principal().indexOf(':') < 0) {
            return "Could not parse principal from `" + acl.principal() + "` (no colon is present separating the "
                    + "principal type from the principal name)";
        }
        if (acl.host().isEmpty()) {
            return "Host should not be empty";
        }
        return null;
    }

    private UUID newId(AclsImage acls, Set<UUID> usedIds) {
        UUID id = randomIds.get();
        while (acls.byId().containsKey(id) || !usedIds.add(id)) {
            id = randomIds.get();
        }
        return id;
    }

    private static ControllerResult<DeleteAclsResponseData> refused(int filterCount) {
        DeleteAclsResponseData response = new DeleteAclsResponseData();
        for (int filter = 0; filter < filterCount; filter++) {
            response.filterResults().add(new DeleteAclsFilterResult().setErrorCode(Errors.POLICY_VIOLATION.code())
                    .setErrorMessage(OperationLimits.TOO_MANY_RECORDS));
        }
        return new ControllerResult<>(List.of(), response);
    }

    private static AclCreationResult result(Errors error, String message) {
        return new AclCreationResult().setErrorCode(error.code()).setErrorMessage(message);
    }
}
