package io.fjord.bench.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * {@link FjordAuthorizerBenchmark}'s cases (compiled against bench/target/fjord-bench.jar) timed by
 * {@link CpuTimeLoop} (CPU time per operation). Arguments: warm-up iterations, measured iterations, CPU milliseconds
 * per iteration.
 */
public final class FjordAuthorizerCpuTime {
    private FjordAuthorizerCpuTime() {
    }

    public static void main(String[] arguments) {
        FjordAuthorizerBenchmark benchmark = new FjordAuthorizerBenchmark();
        benchmark.setUp();
        Map<String, IntSupplier> cases = new LinkedHashMap<>();
        cases.put("allowedLiteral", () -> benchmark.allowedLiteral() ? 1 : 0);
        cases.put("denied", () -> benchmark.denied() ? 1 : 0);
        cases.put("allowedByPrefix", () -> benchmark.allowedByPrefix() ? 1 : 0);
        cases.put("metadataFiltering", benchmark::metadataFiltering);
        CpuTimeLoop.measure("Fjord", cases, Integer.parseInt(arguments[0]), Integer.parseInt(arguments[1]),
                Long.parseLong(arguments[2]) * 1_000_000);
    }
}
