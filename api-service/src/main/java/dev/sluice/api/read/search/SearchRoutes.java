package dev.sluice.api.read.search;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
class SearchRoutes {

    @Bean
    RouterFunction<ServerResponse> searchRouter(SearchHandler handler) {
        return RouterFunctions.route().route(GET("/v1/search"), handler::search).build();
    }
}
