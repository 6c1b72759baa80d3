"""Pure numpy/scipy body measures: gap fill and filters, knee geometry, per-frame knee metrics."""
