package dev.sluice.bench.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one {@code sluice} jar ({@code cli/target/sluice-cli.jar}): benchmarks run the commands a user runs in a JVM
 * of their own, so that the command's CPU and memory are its own.
 */
public final class SluiceJar {

    private SluiceJar() {}

    /** The jar in the checkout at {@code home}; refuses, naming the build command, when it is not built. */
    public static Path in(Path home) {
        Path jar = home.resolve("cli").resolve("target").resolve("sluice-cli.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("missing " + jar + ": build first (./mvnw -DskipTests package)");
        }
        return jar;
    }

    /** {@code java <jvmOptions> -jar sluice-cli.jar <args>}, with this JVM's java. */
    public static List<String> command(Path home, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", in(home).toString()));
        Collections.addAll(command, args);
        return command;
    }

    /** Another main class of the jar (a benchmark's helper process), through Spring Boot's {@code PropertiesLauncher}. */
    public static List<String> mainClass(Path home, List<String> jvmOptions, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", in(home).toString(), "-Dloader.main=" + main.getName(),
                "org.springframework.boot.loader.launch.PropertiesLauncher"));
        Collections.addAll(command, args);
        return command;
    }
}
