"""Cross-validated benchmark of MESA and the LightGBM baselines.

``config`` (what to run), ``methods`` (the method registry and adapters), ``runner`` (folds, work units,
worker processes, metrics), ``probes`` (memory, machine, versions), ``command`` (the ``exomesa benchmark``
library call and its output files). ``RESULTS.md`` is rendered by :mod:`exomesa.reporting.markdown`.
"""
