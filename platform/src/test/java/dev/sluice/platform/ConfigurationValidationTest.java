package dev.sluice.platform;

import static dev.sluice.infra.test.SettingsValidation.assertDefaultsValid;
import static dev.sluice.infra.test.SettingsValidation.assertRefused;

import dev.sluice.platform.connection.ConnectionProperties;
import dev.sluice.platform.page.PageLimitsProperties;
import dev.sluice.platform.topic.TopicsProperties;
import org.junit.jupiter.api.Test;

/** The settings refuse a bad value at start, with an error naming the setting and the rule; their defaults are valid. */
class ConfigurationValidationTest {

    @Test
    void theDefaultsAreValid() {
        assertDefaultsValid(ConnectionProperties.class);
        assertDefaultsValid(PageLimitsProperties.class);
        assertDefaultsValid(TopicsProperties.class);
    }

    @Test
    void aBadValueStopsTheStartWithTheSettingAndTheRule() {
        assertRefused(TopicsProperties.class, "sluice.topics.pages.partitions=0", "must be greater than 0");
        assertRefused(TopicsProperties.class, "sluice.topics.cdc-pages.name= ", "must not be blank");
        assertRefused(PageLimitsProperties.class, "sluice.pages.max-url-length=-1", "must be greater than 0");
        assertRefused(ConnectionProperties.class, "sluice.kafka.bootstrap=", "must not be blank");
    }
}
