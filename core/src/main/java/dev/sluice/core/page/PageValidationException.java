package dev.sluice.core.page;

import java.util.List;
import java.util.stream.Collectors;

/** A page that breaks one or more rules; {@link #violations()} names each. */
public final class PageValidationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    public PageValidationException(List<Violation> violations) {
        super(violations.stream().map(Violation::message).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
