package dev.sluice.cli.importing;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * The lines of an NDJSON file of pages, gzip or not (told by its first bytes, not its name), numbered from 1;
 * counts the file's bytes read so far for the progress bar.
 */
final class PageLines implements PageSource {

    /**
     * One page of a file, numbered from 1 (its line, or its WARC record).
     *
     * @param refused why it cannot be sent, when the file itself says so (a revisit of a payload not in the file);
     *     null for a page to send
     */
    record Line(Path file, long number, String text, String refused) {

        Line(Path file, long number, String text) {
            this(file, number, text, null);
        }
    }

    private final Path file;
    private final BufferedReader reader;
    private long number;

    PageLines(Path file, AtomicLong bytesRead) throws IOException {
        this.file = file;
        InputStream raw = new BufferedInputStream(new Counting(Files.newInputStream(file), bytesRead), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        this.reader = new BufferedReader(new InputStreamReader(gzip ? new GZIPInputStream(raw, 1 << 16) : raw, StandardCharsets.UTF_8), 1 << 16);
    }

    /** The next non-blank line, or null at the end. */
    @Override
    public Line next() throws IOException {
        String text;
        while ((text = reader.readLine()) != null) {
            number++;
            if (!text.isBlank()) {
                return new Line(file, number, text);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** Counts the bytes read through it (the progress bar's position in the file). */
    static final class Counting extends FilterInputStream {
        private final AtomicLong count;

        Counting(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count.addAndGet(n);
            }
            return n;
        }
    }
}
