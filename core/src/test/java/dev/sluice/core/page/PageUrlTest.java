package dev.sluice.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PageUrlTest {

    private static String normal(String raw) {
        return PageUrl.parse(raw).normalized();
    }

    @Nested
    class OneUrlIsOnePage {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
            // scheme and host are case-insensitive; path and query are not
            "HTTPS://Example.COM/Path?Q=A       | https://example.com/Path?Q=A",
            // default ports go, others stay
            "http://example.com:80/a            | http://example.com/a",
            "https://example.com:443/a          | https://example.com/a",
            "https://example.com:8443/a         | https://example.com:8443/a",
            "http://example.com:443/a           | http://example.com:443/a",
            "https://example.com:/a             | https://example.com/a",
            // the fragment never reaches the server
            "https://example.com/a#section-2    | https://example.com/a",
            "https://example.com/a?b=1#x        | https://example.com/a?b=1",
            // an empty path is the root
            "https://example.com                | https://example.com/",
            "https://example.com?x=1            | https://example.com/?x=1",
            // a trailing slash is kept: /a and /a/ differ to a server
            "https://example.com/a/             | https://example.com/a/",
            // query parameter order is kept
            "https://example.com/s?b=2&a=1      | https://example.com/s?b=2&a=1",
            // an empty query is dropped
            "https://example.com/a?             | https://example.com/a",
            // dot segments are resolved
            "https://example.com/a/./b/../c     | https://example.com/a/c",
            "https://example.com/../a           | https://example.com/a",
            "https://example.com/a/b/..         | https://example.com/a/",
            // percent-encoding is canonical
            "https://example.com/%7euser        | https://example.com/~user",
            "https://example.com/a%2fb          | https://example.com/a%2Fb",
            "https://example.com/a b            | https://example.com/a%20b",
            "https://example.com/100%           | https://example.com/100%25",
            "https://example.com/s?q=a b&r=%c3%a9 | https://example.com/s?q=a%20b&r=%C3%A9",
            // a trailing dot on the host is the same host
            "https://example.com./a             | https://example.com/a",
            // whitespace around the URL is trimmed
            "'  https://example.com/a  '        | https://example.com/a",
        })
        void normalises(String raw, String expected) {
            assertThat(normal(raw)).isEqualTo(expected);
        }

        @Test
        void internationalisedHostsBecomePunycode() {
            PageUrl url = PageUrl.parse("https://Bücher.Example/Straße");
            assertThat(url.normalized()).isEqualTo("https://xn--bcher-kva.example/Stra%C3%9Fe");
            assertThat(url.site()).isEqualTo("xn--bcher-kva.example");
            assertThat(PageUrl.parse("https://xn--bcher-kva.example/Stra%c3%9fe").id()).isEqualTo(url.id());
        }

        @Test
        void unicodeInThePathIsEncodedAsUtf8() {
            assertThat(PageUrl.parse("https://example.com/ü").id())
                    .isEqualTo(PageUrl.parse("https://example.com/%C3%BC").id())
                    .isEqualTo(PageUrl.parse("https://example.com/%c3%bc").id());
        }

        @Test
        void ipv6HostsAreKept() {
            assertThat(normal("http://[2001:DB8::1]:8080/x")).isEqualTo("http://[2001:db8::1]:8080/x");
            assertThat(PageUrl.parse("http://[::1]/").site()).isEqualTo("[::1]");
        }
    }

    @Nested
    class IdAndSite {

        @Test
        void theIdIsTheFirst128BitsOfSha256OfTheNormalForm() {
            // printf 'https://example.com/' | sha256sum -> 0f115db062b7c0dd030b16878c99dea5c354b49dc37b38eb8846179c7783e9d7
            assertThat(PageUrl.parse("HTTPS://EXAMPLE.com:443").id()).isEqualTo("0f115db062b7c0dd030b16878c99dea5");
        }

        @Test
        void equivalentUrlsShareAnIdAndDifferentOnesDoNot() {
            assertThat(PageUrl.parse("https://Example.com:443/a#top").id())
                    .isEqualTo(PageUrl.parse("https://example.com/a").id())
                    .isNotEqualTo(PageUrl.parse("https://example.com/a/").id())
                    .isNotEqualTo(PageUrl.parse("http://example.com/a").id());
            assertThat(PageUrl.parse("https://example.com/s?a=1&b=2").id())
                    .isNotEqualTo(PageUrl.parse("https://example.com/s?b=2&a=1").id());
        }

        @Test
        void theSiteIsTheHostWithoutPort() {
            assertThat(PageUrl.parse("https://Docs.Example.com:8443/x").site()).isEqualTo("docs.example.com");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0f115db062b7c0dd030b16878c99dea5", "00000000000000000000000000000000"})
        void idsAreRecognised(String id) {
            assertThat(PageUrl.isValidId(id)).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "0F115DB062B7C0DD030B16878C99DEA5", "0f115db062b7c0dd030b16878c99dea", "../etc/passwd"})
        void nonIdsAreRefused(String id) {
            assertThat(PageUrl.isValidId(id)).isFalse();
        }
    }

    @Nested
    class Refusals {

        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource(delimiter = '|', value = {
            "ftp://example.com/a              | must use the http or https scheme, not 'ftp'",
            "/relative/path                   | must be an absolute http or https URL",
            "example.com/a                    | must be an absolute http or https URL",
            "https:///a                       | must have a host",
            "https://user:secret@example.com/ | must not contain user info (user:password@)",
            "https://example.com:99999/       | has a port out of range: 99999",
            "https://example.com:8o/          | has an invalid port: '8o'",
            "https://exa mple.com/            | has an invalid character in the host: ' '",
            "https://a..b/                    | has an empty label in the host",
            "'   '                            | must not be blank",
        })
        void refusesWithTheRuleThatFailed(String raw, String rule) {
            assertThatThrownBy(() -> PageUrl.parse(raw))
                    .isInstanceOf(InvalidUrlException.class)
                    .hasMessage(rule);
        }

        @Test
        void refusesNull() {
            assertThatThrownBy(() -> PageUrl.parse(null)).hasMessage("is required");
        }
    }
}
