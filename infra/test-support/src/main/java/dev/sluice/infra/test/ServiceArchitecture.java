package dev.sluice.infra.test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;

/**
 * The architecture rules every service obeys, checked by a test in each service. (Maven's Enforcer already bans
 * a dependency of one service on another; these rules hold inside a service.)
 */
public final class ServiceArchitecture {

    private static final List<String> SERVICES =
            List.of("dev.sluice.api", "dev.sluice.ingest", "dev.sluice.invalidator", "dev.sluice.backup", "dev.sluice.cli");

    private ServiceArchitecture() {}

    public static void check(String servicePackage) {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(servicePackage);

        for (String other : SERVICES) {
            if (!other.equals(servicePackage)) {
                noClasses().should().dependOnClassesThat().resideInAPackage(other + "..")
                        .because("services meet only through the contract in sluice-core, so each deploys and scales alone")
                        .check(classes);
            }
        }
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.sluice.infra..")
                .because("the embedded stack and the test support are for tests, benchmarks and the local run, never in a shipped service")
                .check(classes);
        slices().matching(servicePackage + ".(*)..").should().beFreeOfCycles()
                .because("a feature package can be read, tested and changed on its own")
                .allowEmptyShould(true)
                .check(classes);
        noFields().should().beAnnotatedWith("org.springframework.beans.factory.annotation.Autowired")
                .because("constructor injection keeps dependencies explicit and beans immutable")
                .allowEmptyShould(true)
                .check(classes);
    }
}
