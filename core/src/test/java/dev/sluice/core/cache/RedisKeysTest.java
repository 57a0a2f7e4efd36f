package dev.sluice.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisKeysTest {

    private final RedisKeys keys = RedisKeys.defaults();

    @Test
    void aPageAndItsFenceShareAHashSlot() {
        assertThat(keys.page("abc")).isEqualTo("sluice:page:{abc}");
        assertThat(hashTag(keys.pageFence("abc"))).isEqualTo(hashTag(keys.page("abc"))).isEqualTo("abc");
    }

    @Test
    void aSitesKeysShareAHashSlot() {
        assertThat(hashTag(keys.siteGeneration("example.com")))
                .isEqualTo(hashTag(keys.siteList("example.com", 3, "20:cursor")))
                .isEqualTo(hashTag(keys.siteStats("example.com")))
                .isEqualTo("example.com");
    }

    @Test
    void thePrefixIsConfigurableButCannotBreakHashTags() {
        assertThat(new RedisKeys("test-1:").page("x")).isEqualTo("test-1:page:{x}");
        assertThatThrownBy(() -> new RedisKeys("{bad}:")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Redis Cluster's rule: the slot is computed from the first {…} section, when non-empty. */
    private static String hashTag(String key) {
        int open = key.indexOf('{');
        int close = key.indexOf('}', open + 1);
        return key.substring(open + 1, close);
    }
}
