package io.fjord.server;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsRequestData;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.protocol.message.MetadataRequestData;
import io.fjord.protocol.message.MetadataResponseData;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Asks one node, as a Kafka client would, whether it serves the cluster: an ApiVersions, then a Metadata for no topics
 * whose cluster id is the expected one and whose brokers are every expected node. A plain blocking socket with
 * Fjord's own codec, so that the server needs no Kafka client; a fresh connection per probe, bounded in time and in
 * the size of what it reads.
 *
 * <p>Stateless and thread-safe.
 */
final class NodeReadinessProbe {
    private static final short API_VERSIONS_VERSION = 3;
    private static final short METADATA_VERSION = 12;
    private static final String CLIENT_ID = "fjord-cluster";
    /** A Metadata for no topics lists brokers only: a few hundred bytes for a local cluster. */
    private static final int RESPONSE_SIZE_MAX_BYTES = 1024 * 1024;

    /** What a probe found: ready, or why not (one phrase, for the message when a cluster does not get ready). */
    record Result(boolean ready, String reason) {
        static final Result READY = new Result(true, "ready");

        static Result notReady(String reason) {
            return new Result(false, reason);
        }
    }

    private final int timeoutMillis;

    /** @param timeoutMillis the bound on connecting and on each read */
    NodeReadinessProbe(int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    Result probe(InetSocketAddress address, String clusterId, Collection<Integer> brokerIds) {
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            ApiVersionsResponseData versions = (ApiVersionsResponseData) exchange(socket, ApiKey.API_VERSIONS,
                    API_VERSIONS_VERSION, 1, new ApiVersionsRequestData().setClientSoftwareName(CLIENT_ID)
                            .setClientSoftwareVersion(FjordVersion.version().replaceAll("[^A-Za-z0-9.-]", "-")));
            if (versions.errorCode() != Errors.NONE.code()) {
                return Result.notReady("ApiVersions answered error code " + versions.errorCode());
            }
            MetadataResponseData metadata = (MetadataResponseData) exchange(socket, ApiKey.METADATA,
                    METADATA_VERSION, 2, new MetadataRequestData().setTopics(new ArrayList<>())
                            .setAllowAutoTopicCreation(false));
            if (!clusterId.equals(metadata.clusterId())) {
                return Result.notReady("it serves cluster " + metadata.clusterId() + ", not " + clusterId);
            }
            Set<Integer> registered = new TreeSet<>();
            metadata.brokers().forEach(broker -> registered.add(broker.nodeId()));
            if (!registered.containsAll(brokerIds)) {
                return Result.notReady("its metadata lists brokers " + registered + " of " + new TreeSet<>(brokerIds));
            }
            return Result.READY;
        } catch (IOException e) {
            return Result.notReady(IoErrors.reason(e));
        } catch (RequestParseException e) {
            return Result.notReady(e.getMessage());
        }
    }

    private ApiMessage exchange(Socket socket, ApiKey apiKey, short version, int correlationId, ApiMessage request)
            throws IOException, RequestParseException {
        ByteBuffer frame = RequestEncoder.encode(apiKey, version, correlationId, CLIENT_ID, request);
        OutputStream output = socket.getOutputStream();
        output.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        output.flush();
        DataInputStream input = new DataInputStream(socket.getInputStream());
        int size = input.readInt();
        if (size < 4 || size > RESPONSE_SIZE_MAX_BYTES) {
            throw new IOException(apiKey + " response of " + size + " bytes");
        }
        byte[] response = new byte[size];
        input.readFully(response);
        ByteBuffer buffer = ByteBuffer.wrap(response);
        if (ResponseDecoder.correlationId(buffer) != correlationId) {
            throw new IOException("a response to another request (correlation id "
                    + ResponseDecoder.correlationId(buffer) + ", not " + correlationId + ")");
        }
        return ResponseDecoder.decode(apiKey, version, buffer);
    }
}
