package dev.sluice.api.token;

import dev.sluice.api.problem.ProblemException;
import dev.sluice.core.token.ConsistencyToken;
import dev.sluice.core.token.InvalidTokenException;
import dev.sluice.core.token.TokenSigner;
import dev.sluice.core.topic.Topics;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** Issues and reads the consistency tokens of {@code pages.v1} writes. */
@Component
public class ConsistencyTokens {

    private final TokenSigner signer;
    private final String topic;

    ConsistencyTokens(TokenProperties properties, Topics topics) {
        this.signer = new TokenSigner(properties.secrets());
        this.topic = topics.pages().name();
    }

    public String issue(ConsistencyToken token) {
        return token.encode(signer, topic);
    }

    /** @throws ProblemException 400 naming what is wrong with the token, never a 500 */
    public ConsistencyToken read(String text) {
        try {
            return ConsistencyToken.decode(text, signer, topic);
        } catch (InvalidTokenException e) {
            throw ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-consistency-token", "Invalid consistency token",
                    "The Consistency-Token header " + e.getMessage() + ".");
        }
    }

    public TokenSigner signer() {
        return signer;
    }
}
