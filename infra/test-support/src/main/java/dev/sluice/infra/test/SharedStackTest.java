package dev.sluice.infra.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test against the real, shared stack. Test methods may take a {@link dev.sluice.infra.stack.Stack} or
 * {@link dev.sluice.infra.stack.Connections} parameter. On a Spring test, the application context is pointed at
 * the stack through the {@code sluice.*} connection properties, on its own database.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SharedStackExtension.class)
public @interface SharedStackTest {

    /** The database of this test, created on first use; by default derived from the test class name. */
    String database() default "";
}
