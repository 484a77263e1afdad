package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fjord.broker.network.tls.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kcat (librdkafka, Debian's package, with OpenSSL and built-in PLAIN and SCRAM) produces and consumes through a
 * Fjord node's secured listeners: SSL with server authentication, mutual TLS (a client without a certificate is
 * refused), SASL_PLAINTEXT and SASL_SSL with PLAIN, and with a SCRAM-SHA-512 user created at run time when librdkafka
 * is 2.6.1 or later; an older librdkafka (Debian 12's 2.0.2) gets its SCRAM login refused, as Kafka 4.4 refuses it. A
 * wrong password is refused with kcat's SASL authentication error. One node serves every listener, each test its own
 * topic. Skipped when kcat is not installed. Time bounds are liveness bounds for a busy machine.
 */
class KcatSecurityIT {
    private static final Duration KCAT_BOUND = Duration.ofSeconds(60);
    private static final String PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"admin\" password=\"admin-secret\" user_alice=\"alice-secret\";";

    @TempDir
    static Path directory;
    private static TestCertificates certificates;
    private static Path clientCertificatePem;
    private static Path clientKeyPem;
    private static FjordTestNode node;
    /** librdkafka's version as kcat -V prints it, e.g. 2.0.2. */
    private static String librdkafkaVersion;

    private record Result(int exitCode, String output, String errors) {
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(kcatInstalled(), "kcat is not installed (run-tests installs Debian's package)");
        librdkafkaVersion = librdkafkaVersion();
        certificates = TestCertificates.create(Files.createDirectory(directory.resolve("certificates")));
        clientCertificatePem = directory.resolve("client-certificate.pem");
        clientKeyPem = directory.resolve("client-key.pem");
        exportClientIdentity();
        Map<String, String> settings = new HashMap<>(certificates.serverSettings("none"));
        settings.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,MTLS://127.0.0.1:0,"
                + "SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL,"
                + "SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL");
        settings.put("listener.name.mtls.ssl.client.auth", "required");
        settings.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
        settings.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS);
        settings.put("listener.name.sasl_ssl.plain.sasl.jaas.config", PLAIN_JAAS);
        node = FjordTestNode.start(directory.resolve("data"), settings);
        try (Admin admin = node.admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("bob",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "bob-secret"))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static boolean kcatInstalled() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "kcat"))) {
                return true;
            }
        }
        return false;
    }

    private static String librdkafkaVersion() throws IOException, InterruptedException {
        Result version = kcat("", List.of(), "-V");
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("librdkafka (\\d+\\.\\d+\\.\\d+)")
                .matcher(version.output() + version.errors());
        assertThat(matcher.find()).as("librdkafka's version in kcat -V: %s", version.output()).isTrue();
        return matcher.group(1);
    }

    /** librdkafka 2.6.1 stopped repeating the client nonce in SCRAM's client-final message (librdkafka#4895). */
    private static boolean scramNonceFixed() {
        int[] parts = java.util.Arrays.stream(librdkafkaVersion.split("\\.")).mapToInt(Integer::parseInt).toArray();
        return java.util.Arrays.compare(parts, new int[] {2, 6, 1}) >= 0;
    }

    /** kcat needs PEM: the client keystore's certificate and its private key as unencrypted PKCS#8. */
    private static void exportClientIdentity() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certificates.clientKeystore)) {
            store.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        Files.writeString(clientCertificatePem, pem("CERTIFICATE", store.getCertificate("client").getEncoded()));
        Files.writeString(clientKeyPem, pem("PRIVATE KEY",
                store.getKey("client", TestCertificates.PASSWORD.toCharArray()).getEncoded()));
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static String broker(String listener) {
        return "127.0.0.1:" + node.node().boundAddress(listener).getPort();
    }

    private static List<String> ssl() {
        return List.of("-X", "security.protocol=ssl", "-X", "ssl.ca.location=" + certificates.serverCertificatePem);
    }

    private static List<String> mutualTls() {
        List<String> settings = new ArrayList<>(ssl());
        settings.addAll(List.of("-X", "ssl.certificate.location=" + clientCertificatePem,
                "-X", "ssl.key.location=" + clientKeyPem));
        return settings;
    }

    private static List<String> sasl(String protocol, String mechanism, String user, String password) {
        List<String> settings = new ArrayList<>(List.of("-X", "security.protocol=" + protocol,
                "-X", "sasl.mechanisms=" + mechanism, "-X", "sasl.username=" + user,
                "-X", "sasl.password=" + password));
        if (protocol.equals("sasl_ssl")) {
            settings.addAll(List.of("-X", "ssl.ca.location=" + certificates.serverCertificatePem));
        }
        return settings;
    }

    /** Runs kcat with {@code input} on its standard input; its output and errors go to files (no pipe can fill). */
    private static Result kcat(String input, List<String> security, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("kcat");
        command.addAll(List.of(arguments));
        command.addAll(security);
        Path output = Files.createTempFile(directory, "kcat", ".out");
        Path errors = Files.createTempFile(directory, "kcat", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(errors.toFile())
                .start();
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        if (!process.waitFor(KCAT_BOUND.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + KCAT_BOUND.toSeconds() + " s: "
                    + Files.readString(errors));
        }
        return new Result(process.exitValue(), Files.readString(output), Files.readString(errors));
    }

    /** kcat produces three keyed records to {@code topic} and reads them back, both with {@code security}. */
    private static void producesAndConsumes(String listener, List<String> security, String topic) throws Exception {
        String broker = broker(listener);
        Result produced = kcat("k1:one\nk2:two\nk3:three\n", security, "-b", broker, "-t", topic, "-P", "-K:");
        assertThat(produced.exitCode()).as("kcat produce through %s: %s", listener, produced.errors()).isZero();
        Result consumed = kcat("", security, "-b", broker, "-t", topic, "-C", "-o", "beginning", "-e", "-q",
                "-f", "%k=%s@%o\\n");
        assertThat(consumed.exitCode()).as("kcat consume through %s: %s", listener, consumed.errors()).isZero();
        assertThat(consumed.output()).isEqualTo("k1=one@0\nk2=two@1\nk3=three@2\n");
    }

    @Test
    void sslWithServerAuthentication() throws Exception {
        producesAndConsumes("SSL", ssl(), "kcat-ssl");
    }

    @Test
    void mutualTlsServesAClientWithACertificateAndRefusesOneWithout() throws Exception {
        producesAndConsumes("MTLS", mutualTls(), "kcat-mtls");
        Result anonymous = kcat("", ssl(), "-b", broker("MTLS"), "-L", "-m", "5");
        assertThat(anonymous.exitCode()).as("kcat without a client certificate: %s", anonymous.output()).isNotZero();
        assertThat(anonymous.errors()).containsIgnoringCase("SSL");
    }

    @Test
    void saslPlaintextWithPlain() throws Exception {
        producesAndConsumes("SASL_PLAINTEXT", sasl("sasl_plaintext", "PLAIN", "alice", "alice-secret"),
                "kcat-plain");
    }

    @Test
    void scramSha512UserCreatedAtRunTimeOverSaslPlaintextAndSaslSsl() throws Exception {
        assumeTrue(scramNonceFixed(), "librdkafka " + librdkafkaVersion + " repeats the client nonce in SCRAM's "
                + "client-final message (fixed in 2.6.1, librdkafka#4895); Kafka 4.4 refuses that, as Fjord does");
        producesAndConsumes("SASL_PLAINTEXT", sasl("sasl_plaintext", "SCRAM-SHA-512", "bob", "bob-secret"),
                "kcat-scram");
        producesAndConsumes("SASL_SSL", sasl("sasl_ssl", "SCRAM-SHA-512", "bob", "bob-secret"), "kcat-scram-ssl");
    }

    /**
     * librdkafka before 2.6.1 sends {@code r=<client nonce><server's r>} in the client-final message; since the
     * CVE-2024-56128 fix Kafka 4.x requires exactly the server's {@code r} and refuses the login as invalid credentials
     * (kcat issue #462). Fjord refuses it the same way: accepting it would reopen that hole.
     */
    @Test
    void aLibrdkafkaOlderThan261IsRefusedScramAsKafka44RefusesIt() throws Exception {
        assumeTrue(!scramNonceFixed(), "librdkafka " + librdkafkaVersion + " sends the nonce RFC 5802 asks for");
        Result refused = kcat("", sasl("sasl_plaintext", "SCRAM-SHA-512", "bob", "bob-secret"),
                "-b", broker("SASL_PLAINTEXT"), "-L", "-m", "5");
        assertThat(refused.exitCode()).as("kcat's SCRAM login: %s", refused.errors()).isNotZero();
        assertThat(refused.errors()).contains("SASL authentication error: Authentication failed during "
                + "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
    }

    @Test
    void saslSslWithPlain() throws Exception {
        producesAndConsumes("SASL_SSL", sasl("sasl_ssl", "PLAIN", "alice", "alice-secret"), "kcat-sasl-ssl");
    }

    @Test
    void aWrongPasswordIsRefusedWithAnAuthenticationError() throws Exception {
        Map<String, String> expectedErrors = new java.util.LinkedHashMap<>();
        expectedErrors.put("PLAIN", "SASL authentication error: Authentication failed: Invalid username or password");
        if (scramNonceFixed()) {
            // An older librdkafka is refused SCRAM whatever its password (above): no proof of a password check.
            expectedErrors.put("SCRAM-SHA-512", "SASL authentication error: Authentication failed during "
                    + "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
        }
        for (Map.Entry<String, String> expected : expectedErrors.entrySet()) {
            String mechanism = expected.getKey();
            String user = mechanism.equals("PLAIN") ? "alice" : "bob";
            long started = System.nanoTime();
            Result refused = kcat("k:v\n", sasl("sasl_plaintext", mechanism, user, "guessed"),
                    "-b", broker("SASL_PLAINTEXT"), "-t", "kcat-refused", "-P", "-K:");
            assertThat(refused.exitCode()).as("kcat with a wrong %s password: %s", mechanism, refused.errors())
                    .isNotZero();
            assertThat(refused.errors()).as("kcat's errors with a wrong %s password", mechanism)
                    .contains(expected.getValue());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(KCAT_BOUND);
        }
        assertThat(node.node().logManager().getLog(new io.fjord.storage.TopicPartition("kcat-refused", 0)))
                .as("nothing was written by the refused clients").isEmpty();
    }
}
