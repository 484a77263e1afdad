package io.fjord.broker.handlers;

import static io.fjord.broker.handlers.AuthorizationFixture.ALICE;
import static io.fjord.broker.handlers.AuthorizationFixture.CONTEXT;
import static io.fjord.broker.handlers.AuthorizationFixture.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fjord.broker.fetch.PartitionToFetch;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.DescribeTransactionsRequestData;
import io.fjord.protocol.message.DescribeTransactionsResponseData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.ListGroupsRequestData;
import io.fjord.protocol.message.ListGroupsResponseData;
import io.fjord.protocol.message.ListTransactionsRequestData;
import io.fjord.protocol.message.ListTransactionsResponseData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
import io.fjord.protocol.message.TxnOffsetCommitRequestData;
import io.fjord.protocol.message.TxnOffsetCommitResponseData;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The consumer-side and transaction checks against a test authorizer: Fetch (consumer and replica), OffsetFetch and
 * ListGroups filtering, ListTransactions and DescribeTransactions, AddPartitionsToTxn and TxnOffsetCommit.
 */
class ConsumerAndTransactionAuthorizationTest {
    private final AuthorizationFixture fixture = new AuthorizationFixture(Map.of());

    private static PartitionToFetch partition(String topic, int index) {
        return new PartitionToFetch(new TopicPartition(topic, index), new UUID(0, 0), 0, -1, 1024, -1, -1);
    }

    @Test
    void aConsumersFetchReadsOnlyTopicsThePrincipalMayRead() {
        fixture.authorizer.allow(ALICE, AclOperation.READ, AclResourceType.TOPIC, "mine");
        FetchAuthorization fetch = new FetchAuthorization(RequestAuthorization.of(fixture.authorizer));
        List<PartitionToFetch> partitions = List.of(partition("mine", 0), partition("theirs", 0),
                partition("theirs", 1));

        Map<TopicPartition, FetchResponseData.PartitionData> denied = fetch.denied(CONTEXT, false, partitions);

        assertThat(denied).containsOnlyKeys(new TopicPartition("theirs", 0), new TopicPartition("theirs", 1));
        assertThat(denied.values()).allSatisfy(data -> assertThat(data.errorCode())
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        assertThat(FetchAuthorization.allowed(partitions, denied)).containsExactly(partition("mine", 0));
    }

    @Test
    void aReplicaFetchWithoutClusterActionReadsNothingEvenOfReadableTopics() {
        fixture.authorizer.allow(ALICE, AclOperation.READ, AclResourceType.TOPIC, "mine");
        FetchAuthorization fetch = new FetchAuthorization(RequestAuthorization.of(fixture.authorizer));
        List<PartitionToFetch> partitions = List.of(partition("mine", 0), partition("theirs", 0));

        Map<TopicPartition, FetchResponseData.PartitionData> denied = fetch.denied(CONTEXT, true, partitions);

        assertThat(denied).hasSize(2);
        assertThat(denied.values()).allSatisfy(data -> assertThat(data.errorCode())
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        assertThat(FetchAuthorization.allowed(partitions, denied)).isEmpty();

        fixture.authorizer.allow(ALICE, AclOperation.CLUSTER_ACTION, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME);
        assertThat(fetch.denied(CONTEXT, true, partitions)).isEmpty();
    }

    private static OffsetFetchResponseData.OffsetFetchResponseTopics fetchedTopic(String name) {
        return new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(name).setPartitions(new ArrayList<>(
                List.of(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(0)
                        .setCommittedOffset(42))));
    }

    @Test
    void offsetFetchLeavesOutTopicsThePrincipalMayNotDescribeAndDeniesGroupsItMayNotDescribe() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.GROUP, "g")
                .allow(ALICE, AclOperation.DESCRIBE, AclResourceType.GROUP, "named")
                .allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "mine");
        OffsetFetchRequestData request = new OffsetFetchRequestData().setGroups(new ArrayList<>(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g").setTopics(null),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("named").setTopics(new ArrayList<>(
                        List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("theirs")))),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("secret").setTopics(null))));
        OffsetFetchResponseData inner = new OffsetFetchResponseData();
        inner.groups().add(new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId("g").setTopics(
                new ArrayList<>(List.of(fetchedTopic("mine"), fetchedTopic("theirs")))));
        inner.groups().add(new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId("named").setTopics(
                new ArrayList<>(List.of(fetchedTopic("theirs")))));

        OffsetFetchResponseData response = (OffsetFetchResponseData) call(fixture.wrapped(ApiKey.OFFSET_FETCH,
                inner), ApiKey.OFFSET_FETCH, 9, request);

        assertThat(((OffsetFetchRequestData) fixture.seen.get()).groups())
                .extracting(OffsetFetchRequestData.OffsetFetchRequestGroup::groupId).containsExactly("g", "named");
        assertThat(response.groups()).extracting(OffsetFetchResponseData.OffsetFetchResponseGroup::groupId,
                OffsetFetchResponseData.OffsetFetchResponseGroup::errorCode).containsExactly(tuple("g", (short) 0),
                tuple("named", (short) 0), tuple("secret", Errors.GROUP_AUTHORIZATION_FAILED.code()));
        // All topics: the undescribable one is left out. Named: it is there, denied, without its offset.
        assertThat(response.groups().get(0).topics())
                .extracting(OffsetFetchResponseData.OffsetFetchResponseTopics::name).containsExactly("mine");
        assertThat(response.groups().get(1).topics().get(0).partitions()).extracting(
                OffsetFetchResponseData.OffsetFetchResponsePartitions::errorCode,
                OffsetFetchResponseData.OffsetFetchResponsePartitions::committedOffset)
                .containsExactly(tuple(Errors.TOPIC_AUTHORIZATION_FAILED.code(), -1L));
    }

    @Test
    void listGroupsListsEveryGroupWithDescribeOnTheClusterElseOnlyDescribableGroups() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.GROUP, "mine");
        ApiHandler handler = fixture.wrapped(ApiKey.LIST_GROUPS, body -> {
            ListGroupsResponseData answer = new ListGroupsResponseData();
            answer.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId("mine"));
            answer.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId("theirs"));
            return java.util.concurrent.CompletableFuture.completedFuture(answer);
        });

        ListGroupsResponseData filtered = (ListGroupsResponseData) call(handler, ApiKey.LIST_GROUPS, 5,
                new ListGroupsRequestData());
        assertThat(filtered.groups()).extracting(ListGroupsResponseData.ListedGroup::groupId).containsExactly("mine");

        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME);
        ListGroupsResponseData all = (ListGroupsResponseData) call(handler, ApiKey.LIST_GROUPS, 5,
                new ListGroupsRequestData());
        assertThat(all.groups()).hasSize(2);
    }

    @Test
    void listTransactionsListsOnlyTransactionalIdsThePrincipalMayDescribe() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TRANSACTIONAL_ID, "mine");
        ListTransactionsResponseData inner = new ListTransactionsResponseData();
        inner.transactionStates().add(new ListTransactionsResponseData.TransactionState().setTransactionalId("mine"));
        inner.transactionStates().add(new ListTransactionsResponseData.TransactionState()
                .setTransactionalId("theirs"));

        ListTransactionsResponseData response = (ListTransactionsResponseData) call(fixture.wrapped(
                ApiKey.LIST_TRANSACTIONS, inner), ApiKey.LIST_TRANSACTIONS, 1, new ListTransactionsRequestData());

        assertThat(response.transactionStates())
                .extracting(ListTransactionsResponseData.TransactionState::transactionalId).containsExactly("mine");
    }

    @Test
    void describeTransactionsNeedsDescribeOnEachTransactionalId() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TRANSACTIONAL_ID, "mine");
        DescribeTransactionsResponseData inner = new DescribeTransactionsResponseData();
        inner.transactionStates().add(new DescribeTransactionsResponseData.TransactionState()
                .setTransactionalId("mine"));

        DescribeTransactionsResponseData response = (DescribeTransactionsResponseData) call(fixture.wrapped(
                ApiKey.DESCRIBE_TRANSACTIONS, inner), ApiKey.DESCRIBE_TRANSACTIONS, 0,
                new DescribeTransactionsRequestData().setTransactionalIds(new ArrayList<>(List.of("mine",
                        "theirs"))));

        assertThat(((DescribeTransactionsRequestData) fixture.seen.get()).transactionalIds()).containsExactly("mine");
        assertThat(response.transactionStates()).extracting(
                DescribeTransactionsResponseData.TransactionState::transactionalId,
                DescribeTransactionsResponseData.TransactionState::errorCode).containsExactly(
                tuple("mine", (short) 0), tuple("theirs", Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
    }

    private static AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic txnTopic(String name) {
        return new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(name)
                .setPartitions(new ArrayList<>(List.of(0)));
    }

    @Test
    void addPartitionsToTxnAddsNoneWhenAnyTopicIsDenied() {
        fixture.authorizer.allow(ALICE, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, "tx")
                .allow(ALICE, AclOperation.WRITE, AclResourceType.TOPIC, "mine");
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("tx")
                .setV3AndBelowTopics(new ArrayList<>(List.of(txnTopic("mine"), txnTopic("theirs"))));

        AddPartitionsToTxnResponseData response = (AddPartitionsToTxnResponseData) call(fixture.wrapped(
                ApiKey.ADD_PARTITIONS_TO_TXN, new AddPartitionsToTxnResponseData()), ApiKey.ADD_PARTITIONS_TO_TXN, 3,
                request);

        assertThat(fixture.seen.get()).isNull();
        assertThat(response.resultsByTopicV3AndBelow()).extracting(
                AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult::name,
                topic -> topic.resultsByPartition().get(0).partitionErrorCode()).containsExactly(
                tuple("mine", Errors.OPERATION_NOT_ATTEMPTED.code()),
                tuple("theirs", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void addPartitionsToTxnWithoutWriteOnTheTransactionalIdIsDeniedWhole() {
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("tx")
                .setV3AndBelowTopics(new ArrayList<>(List.of(txnTopic("t"))));

        AddPartitionsToTxnResponseData response = (AddPartitionsToTxnResponseData) call(fixture.wrapped(
                ApiKey.ADD_PARTITIONS_TO_TXN, new AddPartitionsToTxnResponseData()), ApiKey.ADD_PARTITIONS_TO_TXN, 3,
                request);

        assertThat(response.resultsByTopicV3AndBelow().get(0).resultsByPartition().get(0).partitionErrorCode())
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
    }

    @Test
    void aBrokersAddPartitionsToTxnNeedsClusterAction() {
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData().setTransactions(new ArrayList<>(
                List.of(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction().setTransactionalId("tx")
                        .setTopics(new ArrayList<>(List.of(txnTopic("t")))))));

        AddPartitionsToTxnResponseData response = (AddPartitionsToTxnResponseData) call(fixture.wrapped(
                ApiKey.ADD_PARTITIONS_TO_TXN, new AddPartitionsToTxnResponseData()), ApiKey.ADD_PARTITIONS_TO_TXN, 4,
                request);

        assertThat(fixture.seen.get()).isNull();
        assertThat(response.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
    }

    private static TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic commitTopic(String name) {
        return new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(name).setPartitions(
                new ArrayList<>(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition())));
    }

    @Test
    void txnOffsetCommitNeedsWriteOnTheTransactionalIdReadOnTheGroupAndOnEachTopic() {
        TxnOffsetCommitRequestData request = new TxnOffsetCommitRequestData().setTransactionalId("tx")
                .setGroupId("g").setTopics(new ArrayList<>(List.of(commitTopic("mine"), commitTopic("theirs"))));
        ApiHandler handler = fixture.wrapped(ApiKey.TXN_OFFSET_COMMIT, new TxnOffsetCommitResponseData());

        TxnOffsetCommitResponseData noTransaction = (TxnOffsetCommitResponseData) call(handler,
                ApiKey.TXN_OFFSET_COMMIT, 3, request);
        assertThat(noTransaction.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());

        fixture.authorizer.allow(ALICE, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, "tx");
        TxnOffsetCommitResponseData noGroup = (TxnOffsetCommitResponseData) call(handler, ApiKey.TXN_OFFSET_COMMIT,
                3, request);
        assertThat(noGroup.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(fixture.seen.get()).isNull();

        fixture.authorizer.allow(ALICE, AclOperation.READ, AclResourceType.GROUP, "g")
                .allow(ALICE, AclOperation.READ, AclResourceType.TOPIC, "mine");
        TxnOffsetCommitResponseData response = (TxnOffsetCommitResponseData) call(handler, ApiKey.TXN_OFFSET_COMMIT,
                3, request);
        assertThat(((TxnOffsetCommitRequestData) fixture.seen.get()).topics())
                .extracting(TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic::name).containsExactly("mine");
        assertThat(response.topics()).singleElement().satisfies(topic -> {
            assertThat(topic.name()).isEqualTo("theirs");
            assertThat(topic.partitions().get(0).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        });
    }
}
