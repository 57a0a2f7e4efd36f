package dev.sluice.api.write;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a JSON array into the bytes of its elements as chunks arrive, without parsing them: it follows strings
 * (and their escapes) and bracket depth, and cuts at the commas between top-level elements. Each element is then
 * parsed on its own, so a malformed element is reported with its index and the ones after it are still read.
 * Only the array's own shape (opening bracket, separators, closing bracket) is checked here.
 */
final class JsonArraySplitter {

    /** The array itself is malformed: where and how; {@code wholeBody} when the body is not an array at all. */
    static final class ShapeException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int index;
        final boolean wholeBody;

        ShapeException(int index, String message) {
            this(index, message, false);
        }

        ShapeException(int index, String message, boolean wholeBody) {
            super(message, null, false, false);
            this.index = index;
            this.wholeBody = wholeBody;
        }
    }

    private enum State { BEFORE_ARRAY, BEFORE_ELEMENT, IN_ELEMENT, AFTER_ARRAY }

    private final int maxElementBytes;
    private final ByteArrayOutputStream element = new ByteArrayOutputStream();
    private State state = State.BEFORE_ARRAY;
    private int depth;
    private boolean inString;
    private boolean escaped;
    private int elements;

    JsonArraySplitter(int maxElementBytes) {
        this.maxElementBytes = maxElementBytes;
    }

    /** The elements completed by this chunk, in order; an element too large is cut and reported as null. */
    List<byte[]> feed(byte[] chunk) {
        List<byte[]> complete = new ArrayList<>();
        for (byte b : chunk) {
            switch (state) {
                case BEFORE_ARRAY -> {
                    if (b == '[') {
                        state = State.BEFORE_ELEMENT;
                    } else if (!isWhitespace(b)) {
                        throw new ShapeException(0, "A JSON batch must be an array of pages, [ {…}, {…} ]; for one page use POST /v1/pages.", true);
                    }
                }
                case BEFORE_ELEMENT -> {
                    if (b == ']') {
                        if (elements > 0) {
                            throw new ShapeException(elements, "the array has a trailing comma");
                        }
                        state = State.AFTER_ARRAY;
                    } else if (b == ',') {
                        throw new ShapeException(elements, "the array has an empty element (two commas in a row)");
                    } else if (!isWhitespace(b)) {
                        state = State.IN_ELEMENT;
                        depth = 0;
                        inString = false;
                        escaped = false;
                        consume(b, complete);
                    }
                }
                case IN_ELEMENT -> consume(b, complete);
                case AFTER_ARRAY -> {
                    if (!isWhitespace(b)) {
                        throw new ShapeException(elements, "there is content after the array's closing bracket");
                    }
                }
            }
        }
        return complete;
    }

    /** At the end of the body: the array must have been closed. */
    void finish() {
        if (state == State.BEFORE_ARRAY) {
            throw new ShapeException(0, "The body is empty: send a JSON array of pages.", true);
        }
        if (state != State.AFTER_ARRAY) {
            throw new ShapeException(elements, "the array is not closed: the body ends inside it");
        }
    }

    private void consume(byte b, List<byte[]> complete) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (b == '\\') {
                escaped = true;
            } else if (b == '"') {
                inString = false;
            }
            append(b);
            return;
        }
        switch (b) {
            case '"' -> inString = true;
            case '{', '[' -> depth++;
            case '}', ']' -> {
                if (depth == 0) {
                    if (b == ']') { // the array's closing bracket ends the last element
                        complete.add(take());
                        state = State.AFTER_ARRAY;
                        return;
                    }
                    throw new ShapeException(elements, "item " + elements + " has an unmatched '}'");
                }
                depth--;
            }
            case ',' -> {
                if (depth == 0) {
                    complete.add(take());
                    state = State.BEFORE_ELEMENT;
                    return;
                }
            }
            default -> { }
        }
        append(b);
    }

    private void append(byte b) {
        if (element.size() < maxElementBytes + 1) {
            element.write(b);
        }
    }

    /** The element's bytes, or null if it was larger than allowed. */
    private byte[] take() {
        elements++;
        byte[] bytes = element.size() > maxElementBytes ? null : element.toByteArray();
        element.reset();
        return bytes;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
