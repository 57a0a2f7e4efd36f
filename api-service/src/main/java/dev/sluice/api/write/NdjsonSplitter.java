package dev.sluice.api.write;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits NDJSON into lines as chunks arrive: LF ends a line, a CR before it is dropped, the last line may lack
 * its LF. A line longer than allowed is skipped to its end and reported as null, without being held.
 */
final class NdjsonSplitter {

    /** One line: its number (from 1) and its bytes, or null if it was too long. */
    record Line(int number, byte[] bytes) {}

    private final int maxLineBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean tooLong;
    private int number;

    NdjsonSplitter(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    List<Line> feed(byte[] chunk) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] == '\n') {
                append(chunk, start, i - start);
                lines.add(take());
                start = i + 1;
            }
        }
        append(chunk, start, chunk.length - start);
        return lines;
    }

    /** The last line, if the body did not end with a line feed. */
    List<Line> finish() {
        return line.size() > 0 || tooLong ? List.of(take()) : List.of();
    }

    private void append(byte[] chunk, int from, int length) {
        if (tooLong || length == 0) {
            return;
        }
        if (line.size() + length > maxLineBytes) {
            tooLong = true;
            line.reset();
        } else {
            line.write(chunk, from, length);
        }
    }

    private Line take() {
        number++;
        byte[] bytes = null;
        if (!tooLong) {
            bytes = line.toByteArray();
            int length = bytes.length;
            if (length > 0 && bytes[length - 1] == '\r') {
                bytes = java.util.Arrays.copyOf(bytes, length - 1);
            }
        }
        line.reset();
        tooLong = false;
        return new Line(number, bytes);
    }
}
