package dev.sluice.cli.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code sluice --version}: the release (from the build), the commit when the script runs from a git checkout
 * ({@code -Dsluice.commit}), and the Java that runs it.
 */
public final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String commit = System.getProperty("sluice.commit", "");
        return new String[] {
                "sluice " + release() + (commit.isBlank() ? "" : " (commit " + commit + ")"),
                "  java: " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }

    public static String release() {
        try (InputStream in = Version.class.getResourceAsStream("/dev/sluice/cli/version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
