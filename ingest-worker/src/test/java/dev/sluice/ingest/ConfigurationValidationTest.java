package dev.sluice.ingest;

import static dev.sluice.infra.test.SettingsValidation.assertDefaultsValid;
import static dev.sluice.infra.test.SettingsValidation.assertRefused;

import dev.sluice.ingest.consume.IngestProperties;
import dev.sluice.ingest.search.SearchProperties;
import org.junit.jupiter.api.Test;

/** The settings refuse a bad value at start, with an error naming the setting and the rule; their defaults are valid. */
class ConfigurationValidationTest {

    @Test
    void theDefaultsAreValid() {
        assertDefaultsValid(IngestProperties.class);
        assertDefaultsValid(SearchProperties.class);
    }

    @Test
    void aBadValueStopsTheStartWithTheSettingAndTheRule() {
        assertRefused(IngestProperties.class, "sluice.ingest.max-batch=0", "must be greater than 0");
        assertRefused(IngestProperties.class, "sluice.ingest.group-id= ", "must not be blank");
        assertRefused(SearchProperties.class, "sluice.search.concurrency=-2", "must be greater than 0");
    }
}
