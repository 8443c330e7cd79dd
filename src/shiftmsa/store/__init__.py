"""The run store: one record per finished run (``records``), the run folders, file locks, and
the fingerprint that says when two runs are the same run."""
