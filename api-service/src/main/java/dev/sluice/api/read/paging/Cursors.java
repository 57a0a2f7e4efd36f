package dev.sluice.api.read.paging;

import dev.sluice.api.problem.ProblemException;
import dev.sluice.api.token.ConsistencyTokens;
import dev.sluice.core.token.InvalidTokenException;
import dev.sluice.core.token.TokenSigner;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Keyset pagination cursors: the last item's sort position, sealed (HMAC, with the same secrets as consistency
 * tokens) for one scope (a site's list, one search). Opaque to clients, and tamper-evident: a forged or edited
 * cursor, or one carried over to another site or query, is refused with a {@code 400}, never trusted.
 */
@Component
public class Cursors {

    private final TokenSigner signer;

    Cursors(ConsistencyTokens tokens) {
        this.signer = tokens.signer();
    }

    public String seal(String scope, ByteBuffer position) {
        byte[] payload = new byte[position.remaining()];
        position.get(payload);
        return signer.seal("cursor:" + scope, payload);
    }

    /** @throws ProblemException 400 {@code invalid-cursor} */
    public <T> T open(String scope, String cursor, Reader<T> reader) {
        try {
            return reader.read(ByteBuffer.wrap(signer.open("cursor:" + scope, cursor)));
        } catch (InvalidTokenException e) {
            throw invalid("The cursor " + e.getMessage() + ", or belongs to another list; use next_cursor exactly as it was returned.");
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw invalid("The cursor is not one of this list's cursors.");
        }
    }

    private static ProblemException invalid(String detail) {
        return ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-cursor", "Invalid cursor", detail);
    }

    /** Reads a position back from a cursor's payload. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(ByteBuffer payload);
    }
}
