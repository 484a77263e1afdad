package io.fjord.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineDefaultsTest {
    @Test
    void oneNetworkThreadOnOneOrTwoProcessorsElseKafkas() {
        assertThat(MachineDefaults.networkThreads(1)).isEqualTo(1);
        assertThat(MachineDefaults.networkThreads(2)).isEqualTo(1);
        assertThat(MachineDefaults.networkThreads(3)).isEqualTo(3);
        assertThat(MachineDefaults.networkThreads(64)).isEqualTo(3);
    }

    @Test
    void theDefinitionsDefaultIsThisMachinesAndTheReferenceDescribesTheRule() {
        ConfigDefinition definition = BrokerConfigs.definition("num.network.threads").orElseThrow();
        assertThat(definition.parsedDefault())
                .isEqualTo(MachineDefaults.networkThreads(Runtime.getRuntime().availableProcessors()));
        assertThat(MachineDefaults.described("num.network.threads")).hasValue("`1` with 1 or 2 processors, else `3`");
        assertThat(MachineDefaults.described("num.io.threads")).isEmpty();
    }
}
