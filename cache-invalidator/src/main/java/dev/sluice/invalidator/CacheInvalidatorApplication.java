package dev.sluice.invalidator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The cache invalidator: changes out of PostgreSQL (Debezium) into cdc.pages, and from there into Redis. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CacheInvalidatorApplication {

    public static void main(String[] args) {
        SpringApplication.run(CacheInvalidatorApplication.class, args);
    }
}
