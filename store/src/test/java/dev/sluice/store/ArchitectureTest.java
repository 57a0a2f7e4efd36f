package dev.sluice.store;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private final JavaClasses store = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.store");

    @Test
    void theStoreIsPlainJdbcAndKnowsNoServiceOrTool() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "reactor..",
                        "dev.sluice.api..", "dev.sluice.ingest..", "dev.sluice.invalidator..", "dev.sluice.backup..", "dev.sluice.cli..",
                        "dev.sluice.platform..", "dev.sluice.infra..")
                .because("the worker, the CLI and the backups share it, whatever runs them")
                .check(store);
    }
}
