"""Search spaces shipped with shiftmsa (YAML, read by ``shiftmsa.training.search.space``)."""
