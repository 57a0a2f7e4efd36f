package dev.sluice.cli.importing;

import dev.sluice.cli.importing.PageLines.Line;
import dev.sluice.core.json.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines an import could not get accepted, as NDJSON: {@code {"file","line","reason","page"}}, {@code page}
 * being the line as it was read (fix it and import the file again). Created only when there is something to say.
 */
final class RejectsFile implements AutoCloseable {

    private final Path path;
    private BufferedWriter writer;
    private long count;

    RejectsFile(Path path) {
        this.path = path;
    }

    synchronized void add(Line line, String reason) {
        try {
            if (writer == null) {
                writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
            }
            writer.write(Json.mapper().writeValueAsString(Json.mapper().createObjectNode()
                    .put("file", line.file().toString())
                    .put("line", line.number())
                    .put("reason", reason)
                    .put("page", line.text())));
            writer.newLine();
            writer.flush();
            count++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rejects file " + path, e);
        }
    }

    synchronized long count() {
        return count;
    }

    Path path() {
        return path;
    }

    @Override
    public synchronized void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
