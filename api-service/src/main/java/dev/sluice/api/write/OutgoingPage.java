package dev.sluice.api.write;

/**
 * A validated write, encoded and ready for {@code pages.v1}.
 *
 * @param id page id: the record key
 * @param envelope the encoded envelope: the record value
 */
record OutgoingPage(String id, byte[] envelope) {}
