package dev.sluice.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The command line composes libraries (the contract, the store, the backups) and never a service: it runs against
 * a pipeline, whatever version of each service is deployed. Only its root wires in the local run and the
 * benchmarks, the two commands that bring up an embedded stack on this machine.
 */
class ArchitectureTest {

    private final JavaClasses cli = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.cli");

    @Test
    void noServiceCode() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.sluice.api..", "dev.sluice.ingest..", "dev.sluice.invalidator..",
                        "dev.sluice.backup.schedule..", "dev.sluice.platform..")
                .because("the CLI meets the services only through the contract, the tables and the topics")
                .check(cli);
        noClasses().should().dependOnClassesThat().haveFullyQualifiedName("dev.sluice.backup.BackupWorkerApplication").check(cli);
    }

    @Test
    void onlyTheRootKnowsTheEmbeddedStack() {
        noClasses().that().doNotHaveFullyQualifiedName(SluiceCli.class.getName())
                .should().dependOnClassesThat().resideInAnyPackage("dev.sluice.infra..", "dev.sluice.bench..")
                .because("commands against a pipeline must work with nothing embedded; run and bench are wired in at the root")
                .check(cli);
    }

    @Test
    void featurePackagesHaveNoCycles() {
        slices().matching("dev.sluice.cli.(*)..").should().beFreeOfCycles().check(cli);
    }
}
