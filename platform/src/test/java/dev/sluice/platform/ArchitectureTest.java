package dev.sluice.platform;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    final JavaClasses platform = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.platform");

    @Test
    void thePlatformIsShippedWithEveryServiceSoItUsesNoTestOrLocalRunCode() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.sluice.infra..")
                .because("the embedded stack and the test support are for tests, benchmarks and the local run")
                .check(platform);
    }

    @Test
    void thePlatformKnowsNoService() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.sluice.api..", "dev.sluice.ingest..", "dev.sluice.invalidator..",
                "dev.sluice.backup..", "dev.sluice.cli..")
                .because("every service depends on the platform, never the other way round")
                .check(platform);
    }
}
