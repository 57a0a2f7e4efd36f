package dev.sluice.api.token;

import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Secrets that seal consistency tokens and pagination cursors ({@code sluice.tokens.secrets}, or
 * {@code SLUICE_TOKENS_SECRETS} as a comma-separated list). Required, no default: every API instance must share
 * them, or a token issued by one is refused by another. The first seals; all open, which allows rotation.
 *
 * @param secrets one or more secrets of at least 32 characters
 */
@ConfigurationProperties("sluice.tokens")
@Validated
public record TokenProperties(@NotEmpty(message = "set sluice.tokens.secrets (SLUICE_TOKENS_SECRETS): 32+ random characters") List<String> secrets) {

    @Override
    public String toString() {
        return "TokenProperties[secrets=" + (secrets == null ? 0 : secrets.size()) + " hidden]";
    }
}
