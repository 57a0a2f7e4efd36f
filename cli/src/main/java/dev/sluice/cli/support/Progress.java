package dev.sluice.cli.support;

import java.io.PrintWriter;
import java.time.Duration;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with rate and ETA for long commands: redrawn in place on a terminal, one line per second
 * otherwise (logs, CI, tests).
 */
public final class Progress implements AutoCloseable {

    private final ProgressBar bar;

    public Progress(String task, long total, String unit, PrintWriter err) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .setMaxRenderedLength(110)
                .setUpdateIntervalMillis(System.console() != null ? 200 : (int) Duration.ofSeconds(1).toMillis());
        if (System.console() != null) {
            builder.setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK);
        } else {
            builder.setStyle(ProgressBarStyle.ASCII).setConsumer(new DelegatingProgressBarConsumer(line -> {
                err.println(line);
                err.flush();
            }, 110));
        }
        this.bar = builder.build();
    }

    public void advance(long n) {
        bar.stepBy(n);
    }

    public void total(long total) {
        bar.maxHint(total);
    }

    @Override
    public void close() {
        bar.close();
    }
}
