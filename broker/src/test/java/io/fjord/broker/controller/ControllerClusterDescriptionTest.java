package io.fjord.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DescribeClusterRequestData;
import io.fjord.protocol.message.DescribeClusterResponseData;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControllerClusterDescriptionTest {
    private final ControllerClusterDescription description = new ControllerClusterDescription("cluster-a",
            () -> Map.of(2, new InetSocketAddress("127.0.0.1", 9094), 1, new InetSocketAddress("127.0.0.1", 9093)),
            () -> 2);

    @Test
    void controllerEndpointsAreTheVotersAndTheActiveOne() {
        DescribeClusterResponseData response = description.describe(new DescribeClusterRequestData()
                .setEndpointType((byte) 2));
        assertThat(response.errorCode()).isZero();
        assertThat(response.clusterId()).isEqualTo("cluster-a");
        assertThat(response.controllerId()).isEqualTo(2);
        assertThat(response.endpointType()).isEqualTo((byte) 2);
        assertThat(response.brokers()).extracting(DescribeClusterResponseData.DescribeClusterBroker::brokerId,
                DescribeClusterResponseData.DescribeClusterBroker::port).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, 9093), org.assertj.core.groups.Tuple.tuple(2, 9094));
    }

    @Test
    void brokerEndpointsAreAMismatchedEndpointType() {
        DescribeClusterResponseData response = description.describe(new DescribeClusterRequestData()
                .setEndpointType((byte) 1));
        assertThat(response.errorCode()).isEqualTo(Errors.MISMATCHED_ENDPOINT_TYPE.code());
        assertThat(response.brokers()).isEmpty();
    }
}
