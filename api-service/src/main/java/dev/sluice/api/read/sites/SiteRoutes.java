package dev.sluice.api.read.sites;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
class SiteRoutes {

    @Bean
    RouterFunction<ServerResponse> siteRouter(SitePagesHandler pages, SiteStatsHandler stats) {
        return RouterFunctions.route()
                .route(GET("/v1/sites/{site}/pages"), pages::pages)
                .route(GET("/v1/sites/{site}/stats"), stats::stats)
                .build();
    }
}
