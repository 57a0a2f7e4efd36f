package dev.sluice.api.read.duplicates;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
class NearDuplicatesRoutes {

    @Bean
    RouterFunction<ServerResponse> nearDuplicatesRouter(NearDuplicatesHandler handler) {
        return RouterFunctions.route().route(GET("/v1/pages/{id}/near-duplicates"), handler::nearDuplicates).build();
    }
}
