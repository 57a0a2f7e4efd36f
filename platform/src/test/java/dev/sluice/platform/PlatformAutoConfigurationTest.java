package dev.sluice.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.topic.Topics;
import dev.sluice.platform.topic.TopicsProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class PlatformAutoConfigurationTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PlatformAutoConfiguration.class));

    @Test
    void theTopicRegistryHasTheDocumentedDefaults() {
        context.run(app -> {
            assertThat(app).hasNotFailed();
            Topics topics = app.getBean(Topics.class);
            assertThat(topics.all()).containsExactly(Topics.DEFAULT_PAGES, Topics.DEFAULT_PAGES_DLQ, Topics.DEFAULT_CDC_PAGES);
        });
    }

    @Test
    void topicsAreConfiguration() {
        context.withPropertyValues("sluice.topics.pages.name=pages.test", "sluice.topics.pages.partitions=3",
                        "sluice.topics.pages.retention=1d")
                .run(app -> {
                    TopicsProperties.Pages pages = app.getBean(TopicsProperties.class).pages();
                    assertThat(pages.name()).isEqualTo("pages.test");
                    assertThat(pages.partitions()).isEqualTo(3);
                    assertThat(pages.retention()).isEqualTo(Duration.ofDays(1));
                    assertThat(app.getBean(Topics.class).pages().name()).isEqualTo("pages.test");
                });
    }
}
