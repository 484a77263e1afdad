package io.fjord.broker.security.authorizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;

class RequestAuthorizationTest {
    private static final RequestContext ALICE = new RequestContext(1, "PLAINTEXT",
            new InetSocketAddress("127.0.0.1", 5000), 0, Principal.user("alice"));

    @Test
    void authorizedOperationsSetsOneBitPerAllowedOperationCode() {
        TestAuthorizer authorizer = new TestAuthorizer()
                .allow("User:alice", AclOperation.READ, AclResourceType.TOPIC, "t")
                .allow("User:alice", AclOperation.DESCRIBE, AclResourceType.TOPIC, "t");
        RequestAuthorization authorization = RequestAuthorization.of(authorizer);

        assertThat(authorization.authorizedOperations(ALICE, AclResourceType.TOPIC, "t"))
                .isEqualTo((1 << 3) | (1 << 8));
        assertThat(authorization.authorizedOperations(ALICE, AclResourceType.TOPIC, "other")).isZero();
    }

    @Test
    void withoutAnAuthorizerEverySupportedOperationIsAuthorizedAsKafkaAnswers() {
        RequestAuthorization authorization = RequestAuthorization.of(Authorizer.ALLOW_ALL);

        assertThat(authorization.authorizedOperations(ALICE, AclResourceType.TOPIC, "t")).isEqualTo(3576);
        assertThat(authorization.authorizedOperations(ALICE, AclResourceType.CLUSTER, "kafka-cluster"))
                .isEqualTo(AuthorizedOperations.bitfield(AuthorizedOperations.supported(AclResourceType.CLUSTER)));
    }

    @Test
    void deniedAsksEachNameOnce() {
        TestAuthorizer authorizer = new TestAuthorizer()
                .allow("User:alice", AclOperation.WRITE, AclResourceType.TOPIC, "a");

        assertThat(RequestAuthorization.of(authorizer).denied(ALICE, AclOperation.WRITE, AclResourceType.TOPIC,
                List.of("a", "b", "b", "c"))).containsExactly("b", "c");
    }

    @Test
    void aDenialIsLoggedOncePerIntervalPerPrincipalAndResource() {
        AtomicLong now = new AtomicLong();
        CountingLogger logger = new CountingLogger();
        DenialLog log = new DenialLog(logger.logger, now::get, 100, 2);

        log.denied(ALICE, AclOperation.READ, AclResourceType.TOPIC, "t");
        log.denied(ALICE, AclOperation.READ, AclResourceType.TOPIC, "t");
        log.denied(ALICE, AclOperation.READ, AclResourceType.TOPIC, "u");
        assertThat(logger.lines).isEqualTo(2);

        // At the key bound, a new key is dropped until an old one expires.
        now.set(50);
        log.denied(ALICE, AclOperation.READ, AclResourceType.TOPIC, "v");
        assertThat(log.dropped()).isEqualTo(1);
        now.set(100);
        log.denied(ALICE, AclOperation.READ, AclResourceType.TOPIC, "t");
        assertThat(logger.lines).isEqualTo(3);
        now.set(160);
        log.denied(ALICE, AclOperation.READ, AclResourceType.TOPIC, "v");
        assertThat(logger.lines).isEqualTo(4);
    }

    /** Counts the info lines; logs nothing. */
    private static final class CountingLogger {
        int lines;
        final Logger logger = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(),
                new Class<?>[] {Logger.class}, (proxy, method, arguments) -> {
                    if (method.getName().equals("isInfoEnabled")) {
                        return true;
                    }
                    if (method.getName().equals("info")) {
                        lines++;
                    }
                    return method.getReturnType() == boolean.class ? false : null;
                });
    }
}
