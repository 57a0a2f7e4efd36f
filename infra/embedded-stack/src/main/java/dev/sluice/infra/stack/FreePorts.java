package dev.sluice.infra.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback interface. */
public final class FreePorts {

    private FreePorts() {}

    /** A port that was free a moment ago (the OS picks it; a race with another process is possible but rare). */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
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
