package dev.sluice.cli.bodies;

import picocli.CommandLine.Command;

/** {@code sluice bodies compress}: how {@code pages} stores page bodies. */
@Command(name = "bodies", mixinStandardHelpOptions = true, description = "How pages stores bodies: compress those still held as text.",
        subcommands = CompressBodiesCommand.class)
public final class BodiesCommand {}
