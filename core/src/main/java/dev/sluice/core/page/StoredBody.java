package dev.sluice.core.page;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How {@code pages} holds a body: compressed by whoever writes the row (zstd, in {@code body_zstd}) and stored as
 * is. PostgreSQL, the one database every worker shares, then neither compresses it (its pglz TOAST compression
 * cost more than the rest of a COPY) nor stores it larger (zstd's frames are about 0.8x pglz's; {@code bench
 * compression}). Rows written before schema 13, or by a writer told to store text, keep the text in {@code body};
 * readers take whichever the row has ({@link #text}).
 */
public final class StoredBody {

    /** zstd's own default: on 2-8 KB pages as fast as level 1 and smaller. */
    public static final int LEVEL = 3;

    /** The largest body a frame may declare (PostgreSQL's own limit for a value): a corrupt frame cannot make a reader allocate more. */
    private static final long MAX_BYTES = 1L << 30;

    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESSORS = ThreadLocal.withInitial(ZstdDecompressCtx::new);

    private StoredBody() {}

    /** A compressor for one thread (its native context is reused across bodies; close it when done). */
    public static Compressor compressor() {
        return new Compressor();
    }

    /** The body a row holds: its compressed frame if it has one, else its text (rows written before schema 13), or null. */
    public static String text(String body, byte[] bodyZstd) {
        if (bodyZstd == null) {
            return body;
        }
        return new String(decompress(bodyZstd), StandardCharsets.UTF_8);
    }

    /** The body of the current row of a query that selects {@code body} and {@code body_zstd}. */
    public static String read(ResultSet row) throws SQLException {
        return text(row.getString("body"), row.getBytes("body_zstd"));
    }

    /** The UTF-8 bytes of a stored frame. */
    public static byte[] decompress(byte[] frame) {
        long size = Zstd.getFrameContentSize(frame);
        if (size < 0 || size > MAX_BYTES) {
            throw new IllegalStateException("not a stored body: a zstd frame that declares its size (at most 1 GiB) was expected"
                    + " (" + frame.length + " bytes, declared size " + size + ")");
        }
        try {
            return DECOMPRESSORS.get().decompress(frame, (int) size);
        } catch (ZstdException e) {
            throw new IllegalStateException("a stored body does not decompress: " + e.getMessage(), e);
        }
    }

    /** Compresses bodies into frames that carry their size; not thread-safe (one per thread, or per batch). */
    public static final class Compressor implements AutoCloseable {
        // The size lets a reader allocate once; the checksum (4 bytes) turns a damaged value into an error, not garbage.
        private final ZstdCompressCtx zstd = new ZstdCompressCtx().setLevel(LEVEL).setContentSize(true).setChecksum(true);

        /** The frame of {@code body}, or null for no body. */
        public byte[] compress(String body) {
            return body == null ? null : compressUtf8(body.getBytes(StandardCharsets.UTF_8));
        }

        /** The frame of a body given as UTF-8, or null for no body. */
        public byte[] compressUtf8(byte[] utf8) {
            return utf8 == null ? null : zstd.compress(utf8);
        }

        @Override
        public void close() {
            zstd.close();
        }
    }
}
