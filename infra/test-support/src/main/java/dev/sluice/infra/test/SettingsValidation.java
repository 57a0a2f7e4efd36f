package dev.sluice.infra.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * Binds a {@code @Validated} settings record the way a service does at start (relaxed names, defaults, Bean
 * Validation), so a module's test can state that a bad value stops the start with an error naming the field and
 * the rule, and that the defaults are valid.
 */
public final class SettingsValidation {

    private static final ValidatorFactory VALIDATION = Validation.buildDefaultValidatorFactory();

    private SettingsValidation() {}

    public static <T> T bind(Class<T> settings, Map<String, String> values) {
        String prefix = settings.getAnnotation(ConfigurationProperties.class).value();
        BindHandler validating = new ValidationBindHandler(new SpringValidatorAdapter(VALIDATION.getValidator()));
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate(prefix, Bindable.of(settings), validating);
    }

    public static void assertDefaultsValid(Class<?> settings) {
        assertThat(bind(settings, Map.of())).as("%s with its defaults", settings.getSimpleName()).isNotNull();
    }

    /** Binding {@code setting=value} fails; the error names the field (as the record or the setting) and says {@code rule}. */
    public static void assertRefused(Class<?> settings, String setting, String rule) {
        String property = setting.substring(0, setting.indexOf('='));
        String field = java.util.regex.Pattern.compile("-(.)").matcher(property.substring(property.lastIndexOf('.') + 1))
                .replaceAll(letter -> letter.group(1).toUpperCase());
        assertThatThrownBy(() -> bind(settings, Map.of(property, setting.substring(setting.indexOf('=') + 1))))
                .as(setting)
                .satisfies(failure -> {
                    StringBuilder causes = new StringBuilder();
                    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                        causes.append(cause.getMessage()).append('\n');
                    }
                    assertThat(causes.toString().contains(field) || causes.toString().contains(property))
                            .as("%s: the error names the setting: %s", setting, causes).isTrue();
                    assertThat(causes.toString()).as(setting).contains(rule);
                });
    }
}
