package dev.sluice.store.search;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * The searchable text of a page: its title and the text a reader sees, extracted with a real HTML parser
 * (jsoup, the WHATWG algorithm browsers use): scripts, styles, templates and other non-content elements are
 * dropped, so a word inside a script or a tag attribute never matches.
 *
 * @param title the posted title, else the document's {@code <title>}
 * @param content the visible text, whitespace collapsed, at most {@link #MAX_CONTENT} characters
 */
public record PageText(String title, String content) {

    /**
     * PostgreSQL refuses a tsvector over 1 MB; real pages' visible text rarely exceeds a few hundred KB. The text
     * beyond this is not indexed (its beginning is what a searcher most likely wants).
     */
    public static final int MAX_CONTENT = 256 * 1024;

    private static final String NOT_CONTENT = "script, style, noscript, template, svg, math, iframe, object, embed, canvas, head";

    public static PageText extract(String postedTitle, String body, String contentType) {
        if (body == null || body.isEmpty()) {
            return new PageText(postedTitle, "");
        }
        if (contentType != null && !isHtml(contentType)) {
            return new PageText(postedTitle, truncate(body.strip().replaceAll("\\s+", " ")));
        }
        Document document = Jsoup.parse(body);
        String title = postedTitle != null && !postedTitle.isBlank() ? postedTitle : document.title();
        document.select(NOT_CONTENT).remove();
        return new PageText(title == null || title.isBlank() ? null : title, truncate(document.body().text()));
    }

    private static boolean isHtml(String contentType) {
        String type = contentType.toLowerCase(java.util.Locale.ROOT);
        return type.contains("html") || type.contains("xml");
    }

    private static String truncate(String text) {
        if (text.length() <= MAX_CONTENT) {
            return text;
        }
        int end = MAX_CONTENT;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }
}
