package dev.sluice.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistencyTokenTest {

    private static final String SECRET = "a-secret-of-at-least-thirty-two-characters";
    private final TokenSigner signer = new TokenSigner(List.of(SECRET));

    @Test
    void roundTrips() {
        ConsistencyToken token = ConsistencyToken.of(Map.of(0, 17L, 11, 9_876_543_210L, 5, 0L));

        String text = token.encode(signer, "pages.v1");

        assertThat(text).matches("[A-Za-z0-9_-]+").hasSizeLessThan(64);
        assertThat(ConsistencyToken.decode(text, signer, "pages.v1")).isEqualTo(token);
    }

    @Test
    void isCoveredOnceEveryPartitionHasAppliedPastTheWrite() {
        ConsistencyToken token = ConsistencyToken.of(Map.of(0, 10L, 3, 5L));

        assertThat(token.isCoveredBy(Map.of(0, 10L, 3, 9L))).as("offset 10 not yet applied").isFalse();
        assertThat(token.isCoveredBy(Map.of(0, 11L))).as("partition 3 unknown").isFalse();
        assertThat(token.isCoveredBy(Map.of(0, 11L, 3, 6L, 7, 1L))).isTrue();
    }

    @Test
    void mergeKeepsTheHigherOffsetPerPartition() {
        ConsistencyToken merged = ConsistencyToken.of(Map.of(0, 10L, 1, 3L)).merge(ConsistencyToken.of(Map.of(1, 7L, 2, 1L)));

        assertThat(merged.offsets()).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(0, 10L, 1, 7L, 2, 1L)));
    }

    @Test
    void aTamperedTokenIsRefused() {
        String text = ConsistencyToken.of(Map.of(0, 10L)).encode(signer, "pages.v1");
        byte[] bytes = Base64.getUrlDecoder().decode(text);
        bytes[2] ^= 1; // claim another offset
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

        assertThatThrownBy(() -> ConsistencyToken.decode(forged, signer, "pages.v1"))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("has a signature that does not match: it was altered, or issued by another deployment");
    }

    @Test
    void aTokenOfAnotherDeploymentOrTopicIsRefused() {
        String text = ConsistencyToken.of(Map.of(0, 10L)).encode(signer, "pages.v1");
        TokenSigner other = new TokenSigner(List.of("another-secret-of-at-least-thirty-two-chars"));

        assertThatThrownBy(() -> ConsistencyToken.decode(text, other, "pages.v1")).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> ConsistencyToken.decode(text, signer, "pages.v2")).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aRotatedSecretStillOpensOldTokens() {
        String text = ConsistencyToken.of(Map.of(0, 10L)).encode(signer, "pages.v1");
        TokenSigner rotated = new TokenSigner(List.of("the-new-secret-of-at-least-thirty-two-chars", SECRET));

        assertThat(ConsistencyToken.decode(text, rotated, "pages.v1").offsets()).containsEntry(0, 10L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not base64!", "AAAA", "AQ", "%%%%"})
    void garbageIsAClearRefusalNeverACrash(String garbage) {
        assertThatThrownBy(() -> ConsistencyToken.decode(garbage, signer, "pages.v1"))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageMatching("is empty|is not base64url text|is truncated|has a signature that does not match.*");
    }

    @Test
    void anOverlongTokenIsRefusedBeforeAnyWork() {
        assertThatThrownBy(() -> ConsistencyToken.decode("A".repeat(5000), signer, "pages.v1"))
                .hasMessage("is longer than 4096 characters");
    }

    @Test
    void signedButMalformedPayloadsAreRefused() {
        String wrongVersion = signer.seal("consistency:pages.v1", new byte[] {9, 0});
        String truncated = signer.seal("consistency:pages.v1", new byte[] {1, 2, 0});
        String trailing = signer.seal("consistency:pages.v1", new byte[] {1, 0, 7});

        assertThatThrownBy(() -> ConsistencyToken.decode(wrongVersion, signer, "pages.v1")).hasMessage("has an unsupported version 9");
        assertThatThrownBy(() -> ConsistencyToken.decode(truncated, signer, "pages.v1")).hasMessage("is truncated");
        assertThatThrownBy(() -> ConsistencyToken.decode(trailing, signer, "pages.v1")).hasMessage("has trailing bytes");
    }

    @Test
    void secretsMustBeLongEnough() {
        assertThatThrownBy(() -> new TokenSigner(List.of("short"))).hasMessageContaining("at least 32 characters");
        assertThatThrownBy(() -> new TokenSigner(List.of())).hasMessageContaining("at least one token secret");
    }
}
