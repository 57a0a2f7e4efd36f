package dev.sluice.api.read;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
class ReadRoutes {

    @Bean
    RouterFunction<ServerResponse> readRouter(ReadHandler handler) {
        return RouterFunctions.route()
                .route(GET("/v1/pages/{id}"), handler::byId)
                .route(GET("/v1/pages"), handler::byUrl)
                .build();
    }
}
