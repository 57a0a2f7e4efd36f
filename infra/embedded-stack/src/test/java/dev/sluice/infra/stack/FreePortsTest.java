package dev.sluice.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Ports for services started by the stack and the tests: free, and out of the kernel's ephemeral range. */
class FreePortsTest {

    @Test
    void aBlockOfPortsIsFreeAndBelowTheEphemeralRange() throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            int base = FreePorts.pickBlock(5);

            assertThat(base).isBetween(20_000, 32_768 - 5);
            for (int port = base; port < base + 5; port++) {
                try (ServerSocket bound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    assertThat(bound.getLocalPort()).isEqualTo(port);
                }
            }
        }
    }

    @Test
    void aSinglePortIsBelowTheEphemeralRangeToo() {
        assertThat(FreePorts.pick()).isBetween(20_000, 32_767);
    }
}
