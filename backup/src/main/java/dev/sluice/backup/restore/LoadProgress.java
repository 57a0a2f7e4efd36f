package dev.sluice.backup.restore;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts a backup file's bytes as a restore reads them, and says how far it is every tenth of the file (large files only). */
final class LoadProgress extends FilterInputStream {

    private static final Logger log = LoggerFactory.getLogger(LoadProgress.class);
    private static final long WORTH_TELLING = 64L << 20;

    private final String table;
    private final long total;
    private long read;

    LoadProgress(InputStream in, String table, long total) {
        super(in);
        this.table = table;
        this.total = total;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            advance(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            advance(n);
        }
        return n;
    }

    private void advance(long n) {
        long before = read;
        read += n;
        if (total >= WORTH_TELLING && before * 10 / total != read * 10 / total) {
            log.info("  {}: {} of {} MB loaded ({}%)", table, read >> 20, total >> 20, read * 100 / total);
        }
    }
}
