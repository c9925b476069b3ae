"""From a codebook and ready documents to values with evidence: extraction, post-processing and jobs."""
