package io.fjord.broker.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.CreateAclsRequestData;
import io.fjord.protocol.message.CreateAclsResponseData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.DescribeClusterRequestData;
import io.fjord.protocol.message.DescribeClusterResponseData;
import io.fjord.raft.transport.ControllerRequestHandler;
import io.fjord.raft.transport.InboundPrincipal;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ControllerListenerAuthorizerTest {
    private static final InboundPrincipal ALICE = new InboundPrincipal("alice",
            new InetSocketAddress("127.0.0.1", 5000));
    private static final InboundPrincipal BROKER = new InboundPrincipal("broker",
            new InetSocketAddress("127.0.0.1", 5001));
    private static final String CLUSTER = AclResourceType.CLUSTER_NAME;

    private final AuthorizationFixture fixture = new AuthorizationFixture(Map.of());
    private final ControllerListenerAuthorizer checks = new ControllerListenerAuthorizer(
            RequestAuthorization.of(fixture.authorizer), fixture.cache, "CONTROLLER");
    /** The body the controller was handed; null when the check answered alone. */
    private final AtomicReference<ApiMessage> handed = new AtomicReference<>();

    private ControllerRequestHandler controller(ApiMessage answer) {
        return new ControllerRequestHandler() {
            @Override
            public Set<ApiKey> apis() {
                return Set.of(ApiKey.CREATE_TOPICS, ApiKey.BROKER_HEARTBEAT, ApiKey.CREATE_ACLS,
                        ApiKey.DESCRIBE_CLUSTER);
            }

            @Override
            public CompletableFuture<ApiMessage> handle(ApiKey api, short version, ApiMessage request) {
                handed.set(request);
                return CompletableFuture.completedFuture(answer);
            }
        };
    }

    private ApiMessage send(InboundPrincipal principal, ApiKey api, int version, ApiMessage body, ApiMessage answer) {
        return checks.handle(principal, new DecodedRequest(api, (short) version, 1, "client", (short) 2, body, 0),
                controller(answer)).join();
    }

    @Test
    void raftApisNeedClusterActionDescribeQuorumDescribeAndVoterChangesAlter() {
        for (ApiKey api : new ApiKey[] {ApiKey.VOTE, ApiKey.BEGIN_QUORUM_EPOCH, ApiKey.END_QUORUM_EPOCH,
                ApiKey.FETCH, ApiKey.FETCH_SNAPSHOT, ApiKey.UPDATE_RAFT_VOTER, ApiKey.DESCRIBE_QUORUM,
                ApiKey.ADD_RAFT_VOTER, ApiKey.REMOVE_RAFT_VOTER}) {
            assertFalse(checks.allows(ALICE, api), api.toString());
        }
        fixture.authorizer.allow("User:alice", AclOperation.DESCRIBE, AclResourceType.CLUSTER, CLUSTER);
        assertTrue(checks.allows(ALICE, ApiKey.DESCRIBE_QUORUM));
        assertFalse(checks.allows(ALICE, ApiKey.FETCH));
        assertFalse(checks.allows(ALICE, ApiKey.ADD_RAFT_VOTER));
        fixture.authorizer.allow("User:alice", AclOperation.ALTER, AclResourceType.CLUSTER, CLUSTER);
        assertTrue(checks.allows(ALICE, ApiKey.ADD_RAFT_VOTER));
        assertTrue(checks.allows(ALICE, ApiKey.REMOVE_RAFT_VOTER));
        assertFalse(checks.allows(ALICE, ApiKey.VOTE));
        fixture.authorizer.allow("User:broker", AclOperation.CLUSTER_ACTION, AclResourceType.CLUSTER, CLUSTER);
        for (ApiKey api : new ApiKey[] {ApiKey.VOTE, ApiKey.BEGIN_QUORUM_EPOCH, ApiKey.END_QUORUM_EPOCH,
                ApiKey.FETCH, ApiKey.FETCH_SNAPSHOT, ApiKey.UPDATE_RAFT_VOTER}) {
            assertTrue(checks.allows(BROKER, api), api.toString());
        }
        assertFalse(checks.allows(BROKER, ApiKey.DESCRIBE_QUORUM));
    }

    @Test
    void brokerToControllerApisNeedClusterAction() {
        BrokerHeartbeatResponseData ok = new BrokerHeartbeatResponseData();
        BrokerHeartbeatResponseData denied = (BrokerHeartbeatResponseData) send(ALICE, ApiKey.BROKER_HEARTBEAT, 1,
                new BrokerHeartbeatRequestData().setBrokerId(1), ok);
        assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED.code(), denied.errorCode());
        assertNull(handed.get());
        fixture.authorizer.allow("User:broker", AclOperation.CLUSTER_ACTION, AclResourceType.CLUSTER, CLUSTER);
        assertSame(ok, send(BROKER, ApiKey.BROKER_HEARTBEAT, 1, new BrokerHeartbeatRequestData(), ok));
    }

    @Test
    void clientApiSentStraightToTheControllerGetsTheBrokersCheck() {
        CreateTopicsRequestData request = new CreateTopicsRequestData();
        request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("orders").setNumPartitions(1)
                .setReplicationFactor((short) 1));
        CreateTopicsResponseData response = (CreateTopicsResponseData) send(ALICE, ApiKey.CREATE_TOPICS, 7, request,
                new CreateTopicsResponseData());
        assertEquals(1, response.topics().size());
        assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), response.topics().iterator().next().errorCode());
        assertTrue(((CreateTopicsRequestData) handed.get()).topics().isEmpty(), "nothing denied reaches it");

        fixture.authorizer.allow("User:alice", AclOperation.CREATE, AclResourceType.TOPIC, "orders");
        handed.set(null);
        CreateTopicsRequestData again = new CreateTopicsRequestData();
        again.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("orders"));
        send(ALICE, ApiKey.CREATE_TOPICS, 7, again, new CreateTopicsResponseData());
        assertEquals(1, ((CreateTopicsRequestData) handed.get()).topics().size());
    }

    @Test
    void aForwardingBrokerWithClusterActionPassesClientApisAsTheyCame() {
        fixture.authorizer.allow("User:broker", AclOperation.CLUSTER_ACTION, AclResourceType.CLUSTER, CLUSTER);
        CreateTopicsRequestData request = new CreateTopicsRequestData();
        request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("orders"));
        CreateTopicsResponseData ok = new CreateTopicsResponseData();
        assertSame(ok, send(BROKER, ApiKey.CREATE_TOPICS, 7, request, ok));
        assertSame(request, handed.get());
    }

    @Test
    void createAclsAndDescribeClusterNeedAlterOnTheController() {
        CreateAclsRequestData acls = new CreateAclsRequestData();
        acls.creations().add(new CreateAclsRequestData.AclCreation().setResourceName("t").setPrincipal("User:x")
                .setHost("*"));
        CreateAclsResponseData refused = (CreateAclsResponseData) send(ALICE, ApiKey.CREATE_ACLS, 3, acls,
                new CreateAclsResponseData());
        assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED.code(), refused.results().get(0).errorCode());
        DescribeClusterResponseData described = (DescribeClusterResponseData) send(ALICE, ApiKey.DESCRIBE_CLUSTER, 1,
                new DescribeClusterRequestData(), new DescribeClusterResponseData());
        assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED.code(), described.errorCode());
        assertNull(handed.get());

        fixture.authorizer.allow("User:alice", AclOperation.ALTER, AclResourceType.CLUSTER, CLUSTER);
        CreateAclsResponseData ok = new CreateAclsResponseData();
        assertSame(ok, send(ALICE, ApiKey.CREATE_ACLS, 3, acls, ok));
        DescribeClusterResponseData cluster = new DescribeClusterResponseData();
        assertSame(cluster, send(ALICE, ApiKey.DESCRIBE_CLUSTER, 1, new DescribeClusterRequestData(), cluster));
    }
}
