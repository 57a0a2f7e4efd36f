package dev.sluice.api.write;

import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The write endpoints of the HTTP contract. */
@Configuration(proxyBeanMethods = false)
class WriteRoutes {

    @Bean
    RouterFunction<ServerResponse> writeRouter(WriteHandler handler) {
        return RouterFunctions.route()
                .route(POST("/v1/pages/batch"), handler::postBatch)
                .route(POST("/v1/pages"), handler::postPage)
                .route(DELETE("/v1/pages/{id}"), handler::deletePage)
                .build();
    }
}
