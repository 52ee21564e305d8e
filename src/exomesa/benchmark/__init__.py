"""Cross-validated benchmark: configuration, methods, runner, resource probes."""
