package dev.sluice.cli;

import dev.sluice.infra.test.ServiceArchitecture;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void followsTheServiceArchitectureRules() {
        ServiceArchitecture.check("dev.sluice.cli");
    }
}
