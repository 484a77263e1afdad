package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeLogDirsRequestData;
import io.fjord.protocol.message.DescribeLogDirsResponseData;
import io.fjord.storage.LogManager;
import io.fjord.storage.PartitionLog;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DescribeLogDirs: each data directory with its total and usable bytes and the size and offset lag (log end minus
 * high watermark) of the partitions it holds, all of them or those asked for. Thread-safe.
 */
public final class DescribeLogDirsHandler implements ApiHandler {
    private final LogManager logManager;

    public DescribeLogDirsHandler(LogManager logManager) {
        this.logManager = logManager;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        DescribeLogDirsRequestData body = (DescribeLogDirsRequestData) request.body();
        Map<Path, DescribeLogDirsResponseData.DescribeLogDirsResult> results = new LinkedHashMap<>();
        for (Path directory : logManager.config().logDirs()) {
            DescribeLogDirsResponseData.DescribeLogDirsResult result =
                    new DescribeLogDirsResponseData.DescribeLogDirsResult().setLogDir(directory.toString());
            try {
                FileStore store = Files.getFileStore(directory);
                result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
            } catch (IOException e) {
                result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
            }
            results.put(directory, result);
        }
        for (PartitionLog log : logManager.allLogs()) {
            if (!requested(body, log.topicPartition().topic(), log.topicPartition().partition())) {
                continue;
            }
            DescribeLogDirsResponseData.DescribeLogDirsResult result = results.get(log.directory().getParent());
            if (result == null) {
                continue;
            }
            DescribeLogDirsResponseData.DescribeLogDirsTopic topic = result.topics().stream()
                    .filter(existing -> existing.name().equals(log.topicPartition().topic())).findFirst()
                    .orElseGet(() -> {
                        DescribeLogDirsResponseData.DescribeLogDirsTopic created =
                                new DescribeLogDirsResponseData.DescribeLogDirsTopic().setName(log.topicPartition().topic());
                        result.topics().add(created);
                        return created;
                    });
            topic.partitions().add(new DescribeLogDirsResponseData.DescribeLogDirsPartition()
                    .setPartitionIndex(log.topicPartition().partition()).setPartitionSize(log.sizeBytes())
                    .setOffsetLag(Math.max(0, log.logEndOffset() - log.highWatermark())).setIsFutureKey(false));
        }
        return CompletableFuture.completedFuture(new DescribeLogDirsResponseData()
                .setResults(new java.util.ArrayList<>(results.values())));
    }

    private static boolean requested(DescribeLogDirsRequestData body, String topic, int partition) {
        if (body.topics() == null) {
            return true;
        }
        return body.topics().stream().anyMatch(wanted -> wanted.topic().equals(topic)
                && wanted.partitions().contains(partition));
    }
}
