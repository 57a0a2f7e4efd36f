package dev.sluice.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backup.schedule.ArchiveProperties;
import dev.sluice.backup.schedule.BackupProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The settings refuse a bad value at start, with an error naming the setting and the rule; their defaults are valid. */
class ConfigurationValidationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({ArchiveProperties.class, BackupProperties.class})
    static class Settings {}

    final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(Settings.class);

    @Test
    void theDefaultsAreValid() {
        context.run(app -> assertThat(app).hasNotFailed());
    }

    @Test
    void aBadValueStopsTheStartWithTheSettingAndTheRule() {
        refused("sluice.backup.zstd-level=30", "must be less than or equal to 22");
        refused("sluice.backup.retention.keep-last=-1", "must be greater than or equal to 0");
        refused("sluice.backup.archive.segment-duration=0s", "must be longer than or equal to");
    }

    void refused(String setting, String rule) {
        context.withPropertyValues(setting).run(app -> {
            assertThat(app).as(setting).hasFailed();
            StringBuilder causes = new StringBuilder();
            for (Throwable cause = app.getStartupFailure(); cause != null; cause = cause.getCause()) {
                causes.append(cause.getMessage()).append('\n');
            }
            String property = setting.substring(0, setting.indexOf('='));
            String field = java.util.regex.Pattern.compile("-(.)").matcher(property.substring(property.lastIndexOf('.') + 1))
                    .replaceAll(letter -> letter.group(1).toUpperCase()); // the error names the field as the record does
            assertThat(causes.toString()).as(setting).contains(field).contains(rule);
        });
    }
}
