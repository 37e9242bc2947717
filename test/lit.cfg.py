# lit configuration for distattn's FileCheck tests.
import os

import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "distattn"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.distattn_obj_root, "test")
# unit/ is a nested suite (GoogleTest) with its own lit.site.cfg.py.
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

# FileCheck variables are local to a CHECK-LABEL block unless they start
# with '$': captures cannot leak from one test case into the next.
config.environment["FILECHECK_OPTS"] = "--enable-var-scope"

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    [ToolSubst("dattn-opt", unresolved="fatal"),
     ToolSubst("dattn-run", unresolved="fatal"),
     ToolSubst("dattn-translate", unresolved="fatal"),
     ToolSubst("dattnc", unresolved="fatal"),
     ToolSubst("rblock-sim", unresolved="fatal"),
     ToolSubst("rblock-decode-bench", unresolved="ignore")],
    [config.distattn_tools_dir])

# Integration tests that build and run emitted host plans need MPI.
mpicxx, mpirun = shutil.which("mpicxx"), shutil.which("mpirun")
if mpicxx and mpirun:
    config.available_features.add("mpi")
    config.substitutions.append(("%mpicxx", mpicxx))
    config.substitutions.append(
        ("%mpirun", mpirun + " --allow-run-as-root --oversubscribe"))
# Integration tests that compile and link cuda bundles (nvcc for sm_90a,
# NCCL, MPI) against the kernels built with this tree; nothing runs them
# here (no GPU): scripts/cuda-bundles.sh does, on a GPU machine.
if config.distattn_cuda_bundle_tests and "mpi" in config.available_features:
    config.available_features.add("cuda-bundle")
    config.substitutions.append(
        ("%cuda_bundle_flags",
         "-DDISTATTN_CUDA_KERNELS=%s -DNCCL_INCLUDE_DIR=%s -DNCCL_LIBRARY=%s"
         % (config.distattn_cuda_kernels, config.distattn_nccl_include,
            config.distattn_nccl_library)))
else:
    lit_config.note("cuda bundle tests are skipped: they need nvcc, NCCL "
                    "and MPI at configure time")
config.substitutions.append(
    ("%runtime_include",
     os.path.join(os.path.dirname(os.path.dirname(__file__)), "runtime", "include")))
