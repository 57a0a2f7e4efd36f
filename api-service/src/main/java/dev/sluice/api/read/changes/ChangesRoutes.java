package dev.sluice.api.read.changes;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
class ChangesRoutes {

    @Bean
    RouterFunction<ServerResponse> changesRouter(ChangesHandler changes) {
        return RouterFunctions.route().route(GET("/v1/changes"), changes::changes).build();
    }
}
