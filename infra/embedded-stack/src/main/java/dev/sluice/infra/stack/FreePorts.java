package dev.sluice.infra.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free TCP ports on the loopback interface. */
public final class FreePorts {

    private static final int LOWEST = 20_000;
    private static final int BELOW_EPHEMERAL = 32_768;

    private FreePorts() {}

    /**
     * A port that was free a moment ago, below the kernel's ephemeral range (32768 and up on Linux): a port the OS
     * hands out for "any port" is also what it hands to the next outgoing connection, and one of those took Kafka's
     * port between its pick and its bind in a test run. Another process can still take it, but rarely.
     */
    public static int pick() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, BELOW_EPHEMERAL);
            if (free(candidate)) {
                return candidate;
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }

    /**
     * The first of {@code size} consecutive ports that were free a moment ago, below the ephemeral range like
     * {@link #pick()} (a block asked of the OS lands in it, where the next outgoing connection can take one of them).
     */
    public static int pickBlock(int size) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(LOWEST, BELOW_EPHEMERAL - size);
            boolean allFree = true;
            for (int port = base; port < base + size && allFree; port++) {
                allFree = free(port);
            }
            if (allFree) {
                return base;
            }
        }
        throw new IllegalStateException("no block of " + size + " free ports on the loopback interface");
    }

    /** A free port other than {@code taken} (picked a moment ago and not bound yet). */
    public static int pickOtherThan(int taken) {
        int port = pick();
        while (port == taken) {
            port = pick();
        }
        return port;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code preferred} if it is free, else fails: used where the user asked for a port. */
    public static int require(int preferred, String what) {
        if (preferred == 0) {
            return pick();
        }
        try (ServerSocket socket = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return preferred;
        } catch (IOException e) {
            throw new IllegalStateException("port " + preferred + " for " + what + " is taken; choose another or 0 for any free port", e);
        }
    }
}
