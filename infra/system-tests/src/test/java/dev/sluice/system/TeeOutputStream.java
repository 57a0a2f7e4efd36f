package dev.sluice.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Writes to two streams: a service's output to the console and into a buffer a test reads (under its lock). */
final class TeeOutputStream extends OutputStream {
    private final OutputStream first;
    private final ByteArrayOutputStream second;

    TeeOutputStream(OutputStream first, ByteArrayOutputStream second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public void write(int b) throws IOException {
        first.write(b);
        synchronized (second) {
            second.write(b);
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        first.write(bytes, offset, length);
        synchronized (second) {
            second.write(bytes, offset, length);
        }
    }
}
