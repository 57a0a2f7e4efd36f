package dev.sluice.ingest;

import dev.sluice.infra.test.DocumentedConfiguration;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigurationDocumentationTest {

    @Test
    void everySettingIsDocumentedWithItsRealDefaultAndVariable() {
        DocumentedConfiguration.assertDocumented(Path.of("target/classes"), "ingest-worker");
    }
}
