package dev.sluice.platform;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.PageEnvelopeSerde;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.topic.Topics;
import dev.sluice.platform.connection.ConnectionProperties;
import dev.sluice.platform.health.KafkaHealthIndicator;
import dev.sluice.platform.health.SchemaHealthIndicator;
import dev.sluice.platform.page.PageLimitsProperties;
import dev.sluice.platform.topic.TopicInitializer;
import dev.sluice.platform.topic.TopicsProperties;
import dev.sluice.platform.tracing.TraceContexts;
import dev.sluice.store.schema.SchemaMigrator;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * What every Sluice service gets by depending on the platform: typed connection and topic settings, the topic
 * registry (and the topics themselves), an envelope codec, and the {@code kafka}, {@code topics} and
 * {@code schema} health components.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
@EnableConfigurationProperties({ConnectionProperties.class, TopicsProperties.class, PageLimitsProperties.class})
public class PlatformAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PageLimits pageLimits(PageLimitsProperties properties) {
        return properties.toLimits();
    }

    @Bean
    @ConditionalOnMissingBean
    EnvelopeCodec envelopeCodec(PageLimits limits) {
        return new EnvelopeCodec(limits);
    }

    @Bean
    @ConditionalOnMissingBean
    RedisKeys redisKeys(ConnectionProperties connections) {
        return new RedisKeys(connections.redis().keyPrefix());
    }

    @Bean
    @ConditionalOnMissingBean
    Topics topics(TopicsProperties properties, EnvelopeCodec codec) {
        return properties.toTopics(new PageEnvelopeSerde(codec));
    }

    /** How each hop passes a sampled trace on (see {@link TraceContexts}); no span at all without a tracer. */
    @Bean
    @ConditionalOnMissingBean
    TraceContexts traceContexts(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return new TraceContexts(tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    /** One admin client for health checks and topic creation, closed with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnBean(KafkaAdmin.class)
    Admin sluiceAdminClient(KafkaAdmin kafkaAdmin) {
        return Admin.create(kafkaAdmin.getConfigurationProperties());
    }

    @Bean
    @ConditionalOnBean(KafkaAdmin.class)
    KafkaHealthIndicator kafkaHealthIndicator(@Qualifier("sluiceAdminClient") Admin admin) {
        return new KafkaHealthIndicator(admin);
    }

    @Bean
    @ConditionalOnBean(KafkaAdmin.class)
    TopicInitializer topicsHealthIndicator(@Qualifier("sluiceAdminClient") Admin admin, Topics topics) {
        return new TopicInitializer(admin, topics.all());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(DataSource.class)
    @ConditionalOnBean(DataSource.class)
    static class Schema {

        @Bean
        @ConditionalOnMissingBean
        SchemaMigrator schemaMigrator(DataSource dataSource) {
            return new SchemaMigrator(dataSource);
        }

        @Bean
        SchemaHealthIndicator schemaHealthIndicator(SchemaMigrator migrator) {
            return new SchemaHealthIndicator(migrator);
        }
    }
}
