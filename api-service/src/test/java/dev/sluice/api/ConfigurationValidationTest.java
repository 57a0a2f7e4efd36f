package dev.sluice.api;

import static dev.sluice.infra.test.SettingsValidation.assertDefaultsValid;
import static dev.sluice.infra.test.SettingsValidation.assertRefused;

import dev.sluice.api.read.cache.ReadProperties;
import dev.sluice.api.read.database.DatabaseProperties;
import dev.sluice.api.read.search.SearchProperties;
import dev.sluice.api.write.WriteProperties;
import org.junit.jupiter.api.Test;

/** The settings refuse a bad value at start, with an error naming the setting and the rule; their defaults are valid. */
class ConfigurationValidationTest {

    @Test
    void theDefaultsAreValid() {
        assertDefaultsValid(ReadProperties.class);
        assertDefaultsValid(DatabaseProperties.class);
        assertDefaultsValid(SearchProperties.class);
        assertDefaultsValid(WriteProperties.class);
    }

    @Test
    void aBadValueStopsTheStartWithTheSettingAndTheRule() {
        assertRefused(WriteProperties.class, "sluice.api.write.compression=brotli", "must match");
        assertRefused(WriteProperties.class, "sluice.api.write.max-pages-per-batch=0", "must be greater than 0");
        assertRefused(ReadProperties.class, "sluice.api.read.breaker.failure-rate=150", "must be less than or equal to 100");
        assertRefused(DatabaseProperties.class, "sluice.api.database.query-timeout=0s", "must be longer than or equal to");
    }
}
