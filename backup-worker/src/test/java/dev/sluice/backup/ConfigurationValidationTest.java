package dev.sluice.backup;

import static dev.sluice.infra.test.SettingsValidation.assertDefaultsValid;
import static dev.sluice.infra.test.SettingsValidation.assertRefused;

import dev.sluice.backup.schedule.ArchiveProperties;
import dev.sluice.backup.schedule.BackupProperties;
import org.junit.jupiter.api.Test;

/** The settings refuse a bad value at start, with an error naming the setting and the rule; their defaults are valid. */
class ConfigurationValidationTest {

    @Test
    void theDefaultsAreValid() {
        assertDefaultsValid(ArchiveProperties.class);
        assertDefaultsValid(BackupProperties.class);
    }

    @Test
    void aBadValueStopsTheStartWithTheSettingAndTheRule() {
        assertRefused(BackupProperties.class, "sluice.backup.zstd-level=30", "must be less than or equal to 22");
        assertRefused(BackupProperties.class, "sluice.backup.retention.keep-last=-1", "must be greater than or equal to 0");
        assertRefused(ArchiveProperties.class, "sluice.backup.archive.segment-duration=0s", "must be longer than or equal to");
    }
}
