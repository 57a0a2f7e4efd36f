package dev.sluice.core.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyFormatTest {

    @Test
    void generatedKeysParseBackToTheirIdAndHash() {
        String key = ApiKeyFormat.generate();

        assertThat(key).matches("slk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}");
        ApiKeyFormat.PresentedKey presented = ApiKeyFormat.parse(key).orElseThrow();
        assertThat(presented.id()).isEqualTo(key.substring(4, 12));
        assertThat(ApiKeyFormat.matches(presented.hash(), ApiKeyFormat.hash(key))).isTrue();
        assertThat(ApiKeyFormat.matches(presented.hash(), ApiKeyFormat.hash(key + "x"))).isFalse();
    }

    @Test
    void keysAreUnique() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            keys.add(ApiKeyFormat.generate());
        }
        assertThat(keys).hasSize(10_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer x", "slk_short_0123456789abcdef0123456789abcdef", "slk_abcdefgh_tooshort",
            "sk_abcdefgh_0123456789abcdef0123456789abcdef", "slk_abcdefgh_0123456789abcdef0123456789abcde!"})
    void anythingElseIsNotAKey(String candidate) {
        assertThat(ApiKeyFormat.parse(candidate)).isEmpty();
    }
}
