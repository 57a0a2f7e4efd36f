package dev.sluice.store.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageTextTest {

    @Test
    void keepsTheVisibleTextAndDropsScriptsStylesAndMarkup() {
        PageText text = PageText.extract(null, """
                <html><head><title>Kestrels</title><style>.hidden { color: teal }</style>
                <script>var secretword = "zanzibar";</script></head>
                <body class="falcon"><h1>Kestrels hover</h1><p>They hunt <b>voles</b>.</p>
                <noscript>enable javascript</noscript><template><p>templated</p></template></body></html>""", "text/html");

        assertThat(text.title()).isEqualTo("Kestrels");
        assertThat(text.content()).isEqualTo("Kestrels hover They hunt voles.");
        assertThat(text.content()).doesNotContain("zanzibar", "teal", "falcon", "javascript", "templated");
    }

    @Test
    void thePostedTitleWinsOverTheDocumentsOwn() {
        assertThat(PageText.extract("Posted", "<title>In the page</title><p>x</p>", "text/html").title()).isEqualTo("Posted");
    }

    @Test
    void toleratesBrokenHtmlAsBrowsersDo() {
        assertThat(PageText.extract(null, "<p>unclosed <div>nested <span>deep", "text/html").content()).isEqualTo("unclosed nested deep");
    }

    @Test
    void indexesPlainTextAsIs() {
        assertThat(PageText.extract(null, "a <b>literal</b>\n\n text", "text/plain").content()).isEqualTo("a <b>literal</b> text");
    }

    @Test
    void boundsTheIndexedText() {
        String huge = "<p>" + "word ".repeat(200_000) + "</p>";
        assertThat(PageText.extract(null, huge, "text/html").content()).hasSize(PageText.MAX_CONTENT);
    }

    @Test
    void aPageWithoutBodyHasNoText() {
        assertThat(PageText.extract("Title only", null, null)).isEqualTo(new PageText("Title only", ""));
    }
}
