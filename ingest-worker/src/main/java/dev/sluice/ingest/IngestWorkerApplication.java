package dev.sluice.ingest;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The ingest worker: batches from pages.v1 into PostgreSQL, effectively once; owner of the schema. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class IngestWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(IngestWorkerApplication.class, args);
    }
}
