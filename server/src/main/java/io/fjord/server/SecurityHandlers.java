package io.fjord.server;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.handlers.AclHandlers;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.handlers.DescribeUserScramCredentialsHandler;
import io.fjord.broker.handlers.ForwardedControllerHandler;
import io.fjord.broker.handlers.SaslAuthenticateHandler;
import io.fjord.broker.handlers.SaslHandshakeHandler;
import io.fjord.broker.security.authorizer.Authorizer;
import io.fjord.broker.security.authorizer.Authorizers;
import io.fjord.protocol.message.ApiKey;
import java.util.Map;

/**
 * A broker's security wiring: its authorizer ({@code authorizer.class.name}, {@code super.users},
 * {@code allow.everyone.if.no.acl.found} over the ACLs of the node's newest image) and the security APIs' handlers
 * (SASL, SCRAM credentials, ACLs). Stateless; used once at start-up.
 */
final class SecurityHandlers {
    private SecurityHandlers() {
    }

    static Authorizer authorizer(BrokerConfig config, MetadataCache cache) {
        return Authorizers.fromConfig(config.string("authorizer.class.name"), config.string("super.users"),
                config.booleanValue("allow.everyone.if.no.acl.found"), () -> cache.image().acls());
    }

    static void register(Map<ApiKey, ApiHandler> handlers, ControllerChannel controller, MetadataCache cache,
                         Authorizer authorizer) {
        handlers.put(ApiKey.SASL_HANDSHAKE, new SaslHandshakeHandler());
        handlers.put(ApiKey.SASL_AUTHENTICATE, new SaslAuthenticateHandler());
        handlers.put(ApiKey.DESCRIBE_USER_SCRAM_CREDENTIALS, new DescribeUserScramCredentialsHandler(cache));
        handlers.put(ApiKey.ALTER_USER_SCRAM_CREDENTIALS, new ForwardedControllerHandler(controller,
                ApiKey.ALTER_USER_SCRAM_CREDENTIALS));
        handlers.putAll(new AclHandlers(controller, cache, authorizer).handlers());
    }
}
