package dev.sluice.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The HTTP API: validates and enqueues writes, serves reads from Redis with PostgreSQL behind. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ApiServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(ApiServiceApplication.class, args);
    }
}
