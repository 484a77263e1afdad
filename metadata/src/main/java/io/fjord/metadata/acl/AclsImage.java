package io.fjord.metadata.acl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * The cluster's ACLs as of one metadata image, by id, with an index by resource type, pattern type and name, so the
 * ACLs that apply to one resource are found in O(log n) per name matched (the literal name, the wildcard, each
 * stored prefix of the name) instead of a pass over every ACL. Both maps are persistent: the next image shares every
 * entry that did not change, so adding or removing an ACL costs O(log n).
 *
 * <p>Immutable and thread-safe. Two images are equal when they hold the same ACLs under the same ids.
 */
public final class AclsImage {
    public static final AclsImage EMPTY = new AclsImage(HashTreePMap.empty(), HashTreePMap.empty());

    /** The index's first level: the ACLs of one resource type with one pattern type (LITERAL or PREFIXED). */
    private record Section(AclResourceType resourceType, AclPatternType patternType) {
    }

    private final PMap<UUID, Acl> byId;
    private final PMap<Section, PSortedMap<String, PMap<UUID, Acl>>> index;

    private AclsImage(PMap<UUID, Acl> byId, PMap<Section, PSortedMap<String, PMap<UUID, Acl>>> index) {
        this.byId = byId;
        this.index = index;
    }

    /** The image with {@code acl} under {@code id}; {@code id} must be new. */
    public AclsImage with(UUID id, Acl acl) {
        if (byId.containsKey(id)) {
            throw new IllegalStateException("ACL id " + id + " already exists");
        }
        Section section = new Section(acl.resourceType(), acl.patternType());
        PSortedMap<String, PMap<UUID, Acl>> names = index.getOrDefault(section, TreePMap.empty());
        PMap<UUID, Acl> named = names.getOrDefault(acl.resourceName(), HashTreePMap.empty());
        return new AclsImage(byId.plus(id, acl),
                index.plus(section, names.plus(acl.resourceName(), named.plus(id, acl))));
    }

    /** The image without the ACL of {@code id}, which must exist. */
    public AclsImage without(UUID id) {
        Acl acl = byId.get(id);
        if (acl == null) {
            throw new IllegalStateException("removal of unknown ACL id " + id);
        }
        Section section = new Section(acl.resourceType(), acl.patternType());
        PSortedMap<String, PMap<UUID, Acl>> names = index.get(section);
        PMap<UUID, Acl> named = names.get(acl.resourceName()).minus(id);
        names = named.isEmpty() ? names.minus(acl.resourceName()) : names.plus(acl.resourceName(), named);
        return new AclsImage(byId.minus(id), names.isEmpty() ? index.minus(section) : index.plus(section, names));
    }

    /** Every ACL by id. */
    public Map<UUID, Acl> byId() {
        return byId;
    }

    public int size() {
        return byId.size();
    }

    /** Whether an equal ACL exists (under any id); costs the ACLs of its resource pattern. */
    public boolean contains(Acl acl) {
        PSortedMap<String, PMap<UUID, Acl>> names = index.get(new Section(acl.resourceType(), acl.patternType()));
        return names != null && names.getOrDefault(acl.resourceName(), HashTreePMap.empty()).containsValue(acl);
    }

    /**
     * Every ACL whose resource pattern applies to the resource {@code resourceType}/{@code resourceName}: literal
     * ACLs of the name or of the wildcard {@code *}, prefixed ACLs whose prefix starts the name.
     */
    public List<Acl> applyingTo(AclResourceType resourceType, String resourceName) {
        List<Acl> applying = new ArrayList<>();
        PSortedMap<String, PMap<UUID, Acl>> literal = index.get(new Section(resourceType, AclPatternType.LITERAL));
        if (literal != null) {
            addAll(applying, literal.get(resourceName));
            if (!resourceName.equals(AclPatternType.WILDCARD_RESOURCE)) {
                addAll(applying, literal.get(AclPatternType.WILDCARD_RESOURCE));
            }
        }
        PSortedMap<String, PMap<UUID, Acl>> prefixed = index.get(new Section(resourceType, AclPatternType.PREFIXED));
        if (prefixed != null) {
            forEachPrefix(prefixed, resourceName, named -> addAll(applying, named));
        }
        return applying;
    }

    /** The ACLs of one resource type, every pattern type: Kafka's by-resource-type checks look at all of them. */
    public List<Acl> ofType(AclResourceType resourceType) {
        List<Acl> acls = new ArrayList<>();
        for (AclPatternType patternType : new AclPatternType[] {AclPatternType.LITERAL, AclPatternType.PREFIXED}) {
            PSortedMap<String, PMap<UUID, Acl>> names = index.get(new Section(resourceType, patternType));
            if (names != null) {
                names.values().forEach(named -> acls.addAll(named.values()));
            }
        }
        return acls;
    }

    /**
     * The ACLs {@code filter} matches, by id, in a stable order: through the index when the filter names a resource
     * type and a name, by a pass over every ACL otherwise.
     */
    public Map<UUID, Acl> matching(AclFilter filter) {
        Map<UUID, Acl> matching = new LinkedHashMap<>();
        if (filter.resourceType() == AclResourceType.ANY || filter.resourceName() == null) {
            byId.forEach((id, acl) -> {
                if (filter.matches(acl)) {
                    matching.put(id, acl);
                }
            });
            return matching;
        }
        List<PMap<UUID, Acl>> candidates = new ArrayList<>();
        PSortedMap<String, PMap<UUID, Acl>> literal = index.get(new Section(filter.resourceType(),
                AclPatternType.LITERAL));
        PSortedMap<String, PMap<UUID, Acl>> prefixed = index.get(new Section(filter.resourceType(),
                AclPatternType.PREFIXED));
        if (literal != null) {
            candidates.add(literal.get(filter.resourceName()));
            if (filter.patternType() == AclPatternType.MATCH) {
                candidates.add(literal.get(AclPatternType.WILDCARD_RESOURCE));
            }
        }
        if (prefixed != null) {
            if (filter.patternType() == AclPatternType.MATCH) {
                forEachPrefix(prefixed, filter.resourceName(), candidates::add);
            } else {
                candidates.add(prefixed.get(filter.resourceName()));
            }
        }
        for (PMap<UUID, Acl> named : candidates) {
            if (named != null) {
                named.forEach((id, acl) -> {
                    if (filter.matches(acl)) {
                        matching.put(id, acl);
                    }
                });
            }
        }
        return matching;
    }

    /**
     * Hands {@code action} the entries of the stored names that prefix {@code name}, longest first. Each step either
     * finds a prefix or shortens the part of {@code name} still searched, so the walk never visits a name twice.
     */
    private static void forEachPrefix(PSortedMap<String, PMap<UUID, Acl>> names, String name,
                                      java.util.function.Consumer<PMap<UUID, Acl>> action) {
        String candidate = names.floorKey(name);
        while (candidate != null) {
            if (name.startsWith(candidate)) {
                action.accept(names.get(candidate));
                candidate = names.lowerKey(candidate);
            } else {
                // Every prefix of name at most candidate is also a prefix of what they have in common.
                candidate = names.floorKey(name.substring(0, commonPrefixLength(name, candidate)));
            }
        }
    }

    private static int commonPrefixLength(String first, String second) {
        int length = Math.min(first.length(), second.length());
        int common = 0;
        while (common < length && first.charAt(common) == second.charAt(common)) {
            common++;
        }
        return common;
    }

    private static void addAll(List<Acl> acls, PMap<UUID, Acl> named) {
        if (named != null) {
            acls.addAll(named.values());
        }
    }

    /** The ACLs of {@code acls} under their ids (snapshots, tests). */
    public static AclsImage of(Map<UUID, Acl> acls) {
        AclsImage image = EMPTY;
        for (Map.Entry<UUID, Acl> entry : acls.entrySet()) {
            image = image.with(entry.getKey(), entry.getValue());
        }
        return image;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AclsImage image && byId.equals(image.byId);
    }

    @Override
    public int hashCode() {
        return byId.hashCode();
    }

    @Override
    public String toString() {
        return "AclsImage" + byId;
    }
}
