package dev.sluice.backup.command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/** One run of {@code sluice backup}, in this JVM, with the environment given: its exit code and what it printed. */
public final class CommandRun {

    public final int exitCode;
    public final String out;
    public final String err;

    private CommandRun(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    public static CommandRun of(Map<String, String> environment, String... args) {
        var commandLine = BackupCommand.commandLine(environment);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }

    /**
     * Every row of the table, in order, as text, hashed: equal checksums mean equal tables. Without the change feed's
     * {@code change_xid}: a transaction id of one cluster, which a restore gives anew (migration V11).
     */
    public static String checksum(JdbcTemplate db, String table) {
        String columns = db.queryForObject("""
                SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ? AND column_name <> 'change_xid'""", String.class, table);
        return db.queryForObject("SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM (SELECT "
                + columns + " FROM " + table + ") t", String.class);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n" + out + err;
    }
}
