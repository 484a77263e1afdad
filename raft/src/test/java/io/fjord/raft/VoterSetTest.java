package io.fjord.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The voter set keeps each voter's supported {@code kraft.version} range (KIP-853's VotersRecord), in encoding
 * version 2; a static quorum's set is still written in version 0, and sets written before (versions 0 and 1) still
 * decode.
 */
class VoterSetTest {
    private static final VoterEndpoint ENDPOINT = new VoterEndpoint("CONTROLLER", "host1", 9093);

    @Test
    void eachVotersSupportedRangeSurvivesEncoding() {
        VoterSet set = VoterSet.ofVoters(List.of(
                new VoterSet.Voter(new ReplicaKey(1, new UUID(1, 1)), List.of(ENDPOINT), KraftVersionRange.SUPPORTED),
                new VoterSet.Voter(new ReplicaKey(2, new UUID(2, 2)), List.of(ENDPOINT),
                        new KraftVersionRange((short) 1, (short) 1))));
        VoterSet decoded = VoterSet.decode(set.encode()).orElseThrow();
        assertThat(decoded).isEqualTo(set);
        assertThat(decoded.supportedKraftVersions(1)).isEqualTo(KraftVersionRange.SUPPORTED);
        assertThat(decoded.supportedKraftVersions(2)).isEqualTo(new KraftVersionRange((short) 1, (short) 1));
        assertThat(decoded.supportsKraftVersion((short) 1)).isTrue();
        assertThat(decoded.supportsKraftVersion((short) 0)).isFalse();
        assertThat(VoterSet.encodedSizeBytes(set.encode())).isEqualTo(set.encode().length);
        // An update keeps the range unless it names a new one.
        assertThat(set.updating(new ReplicaKey(2, new UUID(2, 2)), List.of()).supportedKraftVersions(2))
                .isEqualTo(new KraftVersionRange((short) 1, (short) 1));
    }

    @Test
    void aStaticQuorumsSetIsStillWrittenInVersionZeroAndOlderSetsDecode() {
        VoterSet fixed = VoterSet.ofIds(Set.of(1, 2, 3));
        byte[] bytes = fixed.encode();
        assertThat(ByteBuffer.wrap(bytes).getShort()).isZero();
        assertThat(bytes).hasSize(VoterSet.encodedSizeBytes(3));
        assertThat(VoterSet.decode(bytes).orElseThrow().supportedKraftVersions(2)).isEqualTo(KraftVersionRange.STATIC);

        // Version 1 (endpoints, no ranges), as Fjord wrote it before: its voters ran software supporting 0 to 1.
        ByteBuffer v1 = ByteBuffer.allocate(2 + 4 + 4 + 4 + 16 + 2);
        v1.putShort((short) 1).putInt(1).putInt(4 + 16 + 2).putInt(7).putLong(7).putLong(7).putShort((short) 0);
        VoterSet old = VoterSet.decode(v1.array()).orElseThrow();
        assertThat(old.ids()).containsExactly(7);
        assertThat(old.supportedKraftVersions(7)).isEqualTo(KraftVersionRange.SUPPORTED);
    }

    @Test
    void aRangeThatIsNoRangeDoesNotDecode() {
        VoterSet set = VoterSet.ofVoters(List.of(new VoterSet.Voter(new ReplicaKey(1, new UUID(1, 1)),
                List.of(ENDPOINT), KraftVersionRange.SUPPORTED)));
        byte[] bytes = set.encode();
        // The last two shorts are the range: make max below min.
        ByteBuffer.wrap(bytes).putShort(bytes.length - 4, (short) 1).putShort(bytes.length - 2, (short) 0);
        assertThat(VoterSet.decode(bytes)).isEmpty();
    }
}
