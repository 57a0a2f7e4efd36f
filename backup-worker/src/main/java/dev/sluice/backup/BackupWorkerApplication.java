package dev.sluice.backup;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The backup worker: consistent snapshots, an archive of cdc.pages, restores and drills. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BackupWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(BackupWorkerApplication.class, args);
    }
}
