# lit configuration for distattn's GoogleTest unit tests.
import os
import lit.formats

config.name = "distattn-unit"
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.test_source_root = config.distattn_unit_dir
config.test_exec_root = config.distattn_unit_dir

# lit hands tests only the environment it is told to: without this, a GPU
# test under DISTATTN_REQUIRE_GPU=1 (RequireGpu.h) would skip, not fail.
if "DISTATTN_REQUIRE_GPU" in os.environ:
    config.environment["DISTATTN_REQUIRE_GPU"] = os.environ["DISTATTN_REQUIRE_GPU"]
