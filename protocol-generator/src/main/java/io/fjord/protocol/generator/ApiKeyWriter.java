package io.fjord.protocol.generator;

import java.util.List;

/**
 * Writes Fjord's {@code ApiKey} enum (one constant per request schema, with its version ranges and listeners) and
 * the codec's dispatcher that converts any request or response by its API key. Stateless.
 */
final class ApiKeyWriter {
    private ApiKeyWriter() {
    }

    /** {@code OffsetForLeaderEpochRequest} becomes {@code OFFSET_FOR_LEADER_EPOCH}. */
    static String constantName(MessageSpec request) {
        String base = request.name().substring(0, request.name().length() - "Request".length());
        return base.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
    }

    static String writeEnum(List<ApiPair> apis) {
        SourceWriter out = new SourceWriter();
        out.line("package " + JavaTypes.FJORD_PACKAGE + ";").line("");
        out.line("/**");
        out.line(" * Kafka's API keys with the version ranges of their schemas in kafka-clients, generated. Immutable.");
        out.line(" */");
        out.open("public enum ApiKey");
        for (int index = 0; index < apis.size(); index++) {
            ApiPair api = apis.get(index);
            MessageSpec request = api.request();
            int flexible = request.flexibleVersions().isEmpty() ? Short.MAX_VALUE : request.flexibleVersions().lowest();
            out.line(constantName(request) + "(" + request.apiKey() + ", \""
                    + request.name().substring(0, request.name().length() - "Request".length()) + "\", "
                    + request.validVersions().lowest() + ", " + request.validVersions().highest() + ", " + flexible
                    + ", " + request.listeners().contains("broker") + ", " + request.listeners().contains("controller")
                    + ", " + request.latestVersionUnstable() + ", " + request.className() + "::new, "
                    + api.response().className() + "::new)" + (index == apis.size() - 1 ? ";" : ","));
        }
        out.line("");
        out.line("private static final ApiKey[] BY_ID = new ApiKey[" + (maxId(apis) + 1) + "];");
        out.open("static");
        out.open("for (ApiKey key : values())").line("BY_ID[key.id] = key;").close();
        out.close();
        out.line("");
        out.line("private final short id;");
        out.line("private final String title;");
        out.line("private final short lowestSchemaVersion;");
        out.line("private final short highestSchemaVersion;");
        out.line("private final short firstFlexibleVersion;");
        out.line("private final boolean brokerListener;");
        out.line("private final boolean controllerListener;");
        out.line("private final boolean latestVersionUnstable;");
        out.line("private final java.util.function.Supplier<ApiMessage> requestFactory;");
        out.line("private final java.util.function.Supplier<ApiMessage> responseFactory;");
        out.line("");
        out.open("ApiKey(int id, String title, int lowestSchemaVersion, int highestSchemaVersion, int firstFlexibleVersion,"
                + " boolean brokerListener, boolean controllerListener, boolean latestVersionUnstable,"
                + " java.util.function.Supplier<ApiMessage> requestFactory,"
                + " java.util.function.Supplier<ApiMessage> responseFactory)");
        out.line("this.id = (short) id;");
        out.line("this.title = title;");
        out.line("this.lowestSchemaVersion = (short) lowestSchemaVersion;");
        out.line("this.highestSchemaVersion = (short) highestSchemaVersion;");
        out.line("this.firstFlexibleVersion = (short) firstFlexibleVersion;");
        out.line("this.brokerListener = brokerListener;");
        out.line("this.controllerListener = controllerListener;");
        out.line("this.latestVersionUnstable = latestVersionUnstable;");
        out.line("this.requestFactory = requestFactory;");
        out.line("this.responseFactory = responseFactory;");
        out.close();
        getter(out, "short", "id");
        getter(out, "String", "title");
        getter(out, "short", "lowestSchemaVersion");
        getter(out, "short", "highestSchemaVersion");
        getter(out, "boolean", "brokerListener");
        getter(out, "boolean", "controllerListener");
        getter(out, "boolean", "latestVersionUnstable");
        out.line("");
        out.line("/** Whether requests and responses of this version use the flexible (compact, tagged) encoding. */");
        out.open("public boolean isFlexible(short version)").line("return version >= firstFlexibleVersion;").close();
        out.line("");
        out.open("public ApiMessage newRequest()").line("return requestFactory.get();").close();
        out.line("");
        out.open("public ApiMessage newResponse()").line("return responseFactory.get();").close();
        out.line("");
        out.line("/** The key with this id, or null if kafka-clients knows no such API. */");
        out.open("public static ApiKey forId(int id)")
                .line("return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;").close();
        out.close();
        return out.toString();
    }

    private static void getter(SourceWriter out, String type, String name) {
        out.line("");
        out.open("public " + type + " " + name + "()").line("return " + name + ";").close();
    }

    private static int maxId(List<ApiPair> apis) {
        return apis.stream().mapToInt(api -> api.request().apiKey()).max().orElse(0);
    }

    static String writeDispatcher(List<ApiPair> apis) {
        SourceWriter out = new SourceWriter();
        out.line("package " + ConverterWriter.PACKAGE + ";").line("");
        out.line("/** Converts any request or response between Fjord's and Kafka's classes by API key. Generated; stateless. */");
        out.open("public final class MessageConverters");
        out.open("private MessageConverters()").close();
        dispatch(out, apis, true, true);
        dispatch(out, apis, false, true);
        dispatch(out, apis, true, false);
        dispatch(out, apis, false, false);
        out.close();
        return out.toString();
    }

    private static void dispatch(SourceWriter out, List<ApiPair> apis, boolean request, boolean toKafka) {
        String fjord = JavaTypes.FJORD_PACKAGE + ".ApiMessage";
        String kafka = "org.apache.kafka.common.protocol.ApiMessage";
        String name = (request ? "request" : "response") + (toKafka ? "ToKafka" : "FromKafka");
        out.line("");
        out.open("public static " + (toKafka ? kafka : fjord) + " " + name + "(" + (toKafka ? fjord : kafka) + " message)");
        out.open("return switch (message.apiKey()" + (toKafka ? ".id()" : "") + ")");
        for (ApiPair api : apis) {
            MessageSpec spec = request ? api.request() : api.response();
            String cast = (toKafka ? JavaTypes.FJORD_PACKAGE : JavaTypes.KAFKA_PACKAGE) + "." + spec.className();
            out.line("case " + api.request().apiKey() + " -> " + spec.className() + "Converter."
                    + (toKafka ? "toKafka" : "fromKafka") + "((" + cast + ") message);");
        }
        out.line("default -> throw new IllegalArgumentException(\"unknown API key \" + message.apiKey());");
        out.close(";");
        out.close();
    }

    /** A request schema and its response schema. */
    record ApiPair(MessageSpec request, MessageSpec response) {
    }
}
