"""Hostile inputs, end to end, so that later changes keep them covered: documents (test_hostile_documents),
codebook files, project names and references (test_hostile_codebooks_and_names), and the disk and database
file (test_hostile_storage). Hostile conditions with fixtures of their own live beside their feature:
pipes, devices, broken links and concurrent imports in imports/test_special_files_and_concurrent_imports,
a full disk in imports/test_import_full_disk and runs/test_full_disk, racing runners and deletes in
runs/test_one_runner_per_job, keys echoed by providers in runs/test_keys_echoed_by_providers, damaged,
empty and read-only databases in test_damaged_database and test_read_only_and_full_disk."""
