"""Search spaces shipped with shiftmsa (YAML, read by ``shiftmsa.experiments.search.space``)."""
