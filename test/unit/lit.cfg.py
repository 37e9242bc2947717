# lit configuration for distattn's GoogleTest unit tests.
import os
import lit.formats

config.name = "distattn-unit"
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.test_source_root = config.distattn_unit_dir
config.test_exec_root = config.distattn_unit_dir
