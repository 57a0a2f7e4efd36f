package dev.sluice.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.core");

    @Test
    void theCoreIsFrameworkFree() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "reactor..", "io.lettuce..")
                .because("the contract is used by every service, tool and test, whatever runs it")
                .check(core);
    }

    @Test
    void theCoreKnowsNoService() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "dev.sluice.api..", "dev.sluice.ingest..", "dev.sluice.invalidator..", "dev.sluice.backup..", "dev.sluice.cli..",
                        "dev.sluice.platform..", "dev.sluice.infra..")
                .because("services depend on the contract, never the other way round; the embedded stack and test support are for tests")
                .check(core);
    }

    @Test
    void featurePackagesHaveNoCycles() {
        slices().matching("dev.sluice.core.(*)..").should().beFreeOfCycles()
                .because("each part of the contract can be understood on its own")
                .check(core);
    }
}
