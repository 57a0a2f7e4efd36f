package dev.sluice.invalidator;

import static dev.sluice.infra.test.SettingsValidation.assertDefaultsValid;
import static dev.sluice.infra.test.SettingsValidation.assertRefused;

import dev.sluice.invalidator.cache.CacheStreamsProperties;
import dev.sluice.invalidator.cdc.CdcProperties;
import dev.sluice.invalidator.check.CheckProperties;
import org.junit.jupiter.api.Test;

/** The settings refuse a bad value at start, with an error naming the setting and the rule; their defaults are valid. */
class ConfigurationValidationTest {

    @Test
    void theDefaultsAreValid() {
        assertDefaultsValid(CacheStreamsProperties.class);
        assertDefaultsValid(CdcProperties.class);
        assertDefaultsValid(CheckProperties.class);
    }

    @Test
    void aBadValueStopsTheStartWithTheSettingAndTheRule() {
        assertRefused(CdcProperties.class, "sluice.cdc.slot-name=Sluice-CDC", "must match");
        assertRefused(CdcProperties.class, "sluice.cdc.leader-lease=1s", "must be at least 3s");
        assertRefused(CacheStreamsProperties.class, "sluice.invalidator.threads=0", "must be greater than 0");
        assertRefused(CheckProperties.class, "sluice.invalidator.check.sample=0", "must be greater than 0");
    }
}
