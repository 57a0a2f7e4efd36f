package dev.sluice.store.cache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import java.io.File;

/**
 * A Lettuce client for a {@code redis://} or {@code rediss://[user:password@]host:port} URL, trusting the PEM
 * certificates of {@code truststore} when one is named (the JVM's default trust otherwise): the same settings
 * ({@code SLUICE_REDIS_URL}, {@code SLUICE_REDIS_TRUSTSTORE}) as the services' own Redis connections.
 */
public final class RedisClients {

    private RedisClients() {}

    public static RedisClient create(String url, String truststore) {
        RedisClient client = RedisClient.create(url);
        if (truststore != null && !truststore.isBlank()) {
            client.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider().trustManager(new File(truststore)).build())
                    .build());
        }
        return client;
    }
}
