package dev.sluice.infra.test;

import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.Stack;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the shared stack before the first test that needs it, and stops it when the whole test plan is done
 * (through the root context's store), after closing whatever registered to close first.
 */
public final class SharedStackExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedStackExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).computeIfAbsent("stack", key -> {
            SharedStack.get();
            return (AutoCloseable) SharedStack::close;
        }, AutoCloseable.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Stack.class || type == Connections.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Stack.class ? SharedStack.get() : databaseConnections(context.getRequiredTestClass());
    }

    /** {@code @Nested} classes share the database of the class that encloses them. */
    static Class<?> outermost(Class<?> testClass) {
        Class<?> outer = testClass;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        return outer;
    }

    /** The connections of a test class: the shared servers, the class's own database. */
    static Connections databaseConnections(Class<?> testClass) {
        return SharedStack.get().createDatabase(databaseName(testClass));
    }

    static String databaseName(Class<?> nestedOrTopLevel) {
        Class<?> testClass = outermost(nestedOrTopLevel);
        SharedStackTest annotation = testClass.getAnnotation(SharedStackTest.class);
        if (annotation != null && !annotation.database().isEmpty()) {
            return annotation.database();
        }
        String snake = testClass.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        return snake.length() > 60 ? snake.substring(0, 60) : snake;
    }
}
