package dev.sluice.api.read.database;

import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The API's reactive connection pool to PostgreSQL ({@code sluice.api.database.*}).
 *
 * @param poolInitialSize connections opened at start (default 2)
 * @param poolMaxSize most connections at once (default 16): each one is a PostgreSQL backend
 * @param poolMaxIdleTime an idle connection is closed after this (default 10m)
 * @param acquireTimeout how long a request waits for a connection before failing (default 5s)
 * @param queryTimeout how long a read may take before it is given up with a 503 (default 5s): a lost reply must
 *     never hold a request, or the readers sharing its load, forever; also each connection's
 *     {@code statement_timeout}, so PostgreSQL stops the query at the same bound
 */
@Validated
@ConfigurationProperties("sluice.api.database")
public record DatabaseProperties(
        @DefaultValue("2") @PositiveOrZero int poolInitialSize,
        @DefaultValue("16") @Positive int poolMaxSize,
        @DefaultValue("10m") @DurationMin(millis = 1) Duration poolMaxIdleTime,
        @DefaultValue("5s") @DurationMin(millis = 1) Duration acquireTimeout,
        @DefaultValue("5s") @DurationMin(millis = 1) Duration queryTimeout) {}
