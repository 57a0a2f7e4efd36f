package dev.sluice.invalidator.cache;

/**
 * What the topology remembers of a page between its changes (a state store, changelogged by Kafka Streams): its
 * site, because the event of a row deleted outright names only the page id; whether it is live and its version,
 * so that a site's page count moves only on real transitions (a redelivered or older event moves nothing).
 */
record PageState(String site, boolean live, long version) {

    String encode() {
        return (live ? "1" : "0") + version + "|" + site;
    }

    static PageState decode(String text) {
        int bar = text.indexOf('|');
        return new PageState(text.substring(bar + 1), text.charAt(0) == '1', Long.parseLong(text.substring(1, bar)));
    }
}
