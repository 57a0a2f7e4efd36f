package dev.sluice.api.write;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A push-in, pull-out gzip decoder (RFC 1952): feed it compressed chunks with {@link #input(byte[])}, take decoded
 * chunks of at most {@link #CHUNK} bytes with {@link #next()} until it returns null, then feed more. Memory stays
 * at one input chunk plus one output chunk whatever the compression ratio, so a caller that stops pulling at its
 * size limit is safe from gzip bombs. Concatenated members are one stream (as {@code gzip -d} reads them);
 * every member's CRC-32 and length are checked.
 */
final class GzipStream implements AutoCloseable {

    static final int CHUNK = 64 * 1024;
    /**
     * The longest member header read: the fixed 10 bytes, an extra field (BGZF's is 6 bytes), a file name and a
     * comment. Names and comments end with a NUL only, so without a bound a header could grow forever in memory.
     */
    static final int MAX_HEADER_BYTES = 8 * 1024;

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private enum State { HEADER, INFLATE, TRAILER }

    /** Not gzip, corrupt, or cut short: the message says which. */
    static final class FormatException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message, null, false, false);
        }
    }

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private byte[] pending = new byte[0];
    private State state = State.HEADER;
    private long memberSize;
    private int members;

    /** Adds compressed bytes (after {@link #next()} returned null, or at the start). */
    void input(byte[] bytes) {
        if (state == State.INFLATE) {
            pending = tail(pending, inflater.getRemaining());
        }
        pending = concat(pending, bytes);
        if (state == State.INFLATE) {
            inflater.setInput(pending);
        }
    }

    /** The next decoded chunk, or null when more input is needed. */
    byte[] next() {
        while (true) {
            switch (state) {
                case HEADER -> {
                    if (pending.length == 0 || !readHeader()) {
                        return null;
                    }
                }
                case INFLATE -> {
                    byte[] chunk = inflate();
                    if (chunk != null) {
                        return chunk;
                    }
                    if (state == State.INFLATE) {
                        return null; // needs input
                    }
                }
                case TRAILER -> {
                    if (pending.length < 8) {
                        return null;
                    }
                    readTrailer();
                }
            }
        }
    }

    /** Called at the end of the input: the stream must have ended exactly at a member's end. */
    void finish() {
        if (members == 0 && state == State.HEADER && pending.length == 0) {
            throw new FormatException("the body is empty, not a gzip stream");
        }
        if (state != State.HEADER || pending.length != 0) {
            throw new FormatException("the gzip stream is truncated");
        }
    }

    private byte[] inflate() {
        byte[] out = new byte[CHUNK];
        try {
            int n = inflater.inflate(out);
            if (n > 0) {
                crc.update(out, 0, n);
                memberSize += n;
            }
            if (inflater.finished()) {
                pending = tail(pending, inflater.getRemaining()); // the trailer, and maybe more members
                state = State.TRAILER;
            } else if (inflater.needsDictionary()) {
                throw new FormatException("the deflate stream asks for a preset dictionary, which gzip does not use");
            }
            return n > 0 ? Arrays.copyOf(out, n) : null;
        } catch (DataFormatException e) {
            throw new FormatException("the compressed data is corrupt (" + e.getMessage() + ")");
        }
    }

    private static byte[] tail(byte[] bytes, int length) {
        return length == bytes.length ? bytes : Arrays.copyOfRange(bytes, bytes.length - length, bytes.length);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        if (first.length == 0) {
            return second;
        }
        byte[] joined = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }

    private boolean readHeader() {
        int length = headerLength();
        if (length < 0 && pending.length > MAX_HEADER_BYTES || length > MAX_HEADER_BYTES) {
            throw new FormatException("its header (name, comment or extra field) is longer than " + MAX_HEADER_BYTES + " bytes");
        }
        if (length < 0) {
            return false; // not all of it yet
        }
        int flags = pending[3] & 0xff;
        if ((flags & FHCRC) != 0) {
            CRC32 headerCrc = new CRC32();
            headerCrc.update(pending, 0, length - 2);
            int expected = (pending[length - 2] & 0xff) | (pending[length - 1] & 0xff) << 8;
            if ((headerCrc.getValue() & 0xffff) != expected) {
                throw new FormatException("the gzip header checksum does not match");
            }
        }
        pending = Arrays.copyOfRange(pending, length, pending.length);
        inflater.reset();
        inflater.setInput(pending);
        crc.reset();
        memberSize = 0;
        state = State.INFLATE;
        return true;
    }

    /** The header's length once all of it is in {@link #pending}, else -1; throws if it is not a gzip header. */
    private int headerLength() {
        byte[] b = pending;
        if (b.length >= 1 && (b[0] & 0xff) != 0x1f || b.length >= 2 && (b[1] & 0xff) != 0x8b) {
            throw new FormatException(members == 0 ? "it does not start with the gzip magic bytes"
                    : "it has bytes after the last gzip member that are not another member");
        }
        if (b.length >= 3 && b[2] != 8) {
            throw new FormatException("it uses compression method " + b[2] + ", not deflate");
        }
        if (b.length < 10) {
            return -1;
        }
        int flags = b[3] & 0xff;
        if ((flags & 0xe0) != 0) {
            throw new FormatException("its header has reserved flags set");
        }
        int at = 10;
        if ((flags & FEXTRA) != 0) {
            if (b.length < at + 2) {
                return -1;
            }
            at += 2 + ((b[at] & 0xff) | (b[at + 1] & 0xff) << 8);
        }
        for (int flag : new int[] {FNAME, FCOMMENT}) {
            if ((flags & flag) != 0) {
                while (at < b.length && b[at] != 0) {
                    at++;
                }
                if (at >= b.length) {
                    return -1;
                }
                at++;
            }
        }
        if ((flags & FHCRC) != 0) {
            at += 2;
        }
        return b.length >= at ? at : -1;
    }

    private void readTrailer() {
        long expectedCrc = littleEndian(pending, 0);
        long expectedSize = littleEndian(pending, 4);
        if (expectedCrc != crc.getValue()) {
            throw new FormatException("a gzip member's CRC-32 does not match its content");
        }
        if (expectedSize != (memberSize & 0xffffffffL)) {
            throw new FormatException("a gzip member's length does not match its content");
        }
        members++;
        pending = Arrays.copyOfRange(pending, 8, pending.length);
        state = State.HEADER;
    }

    private static long littleEndian(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    @Override
    public void close() {
        inflater.end();
    }
}
