package dev.sluice.cli.importing;

import dev.sluice.cli.importing.PageLines.Line;
import java.io.IOException;

/** Pages of one file, as the JSON lines {@code POST /v1/pages} takes, numbered for the rejects file. */
interface PageSource extends AutoCloseable {

    /** The next page, or null at the end. */
    Line next() throws IOException;

    @Override
    void close() throws IOException;
}
