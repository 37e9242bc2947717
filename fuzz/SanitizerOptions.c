/* Sanitizer defaults for every executable of a DISTATTN_SANITIZE build (the
 * top-level CMakeLists.txt links this into each; the environment's
 * ASAN_OPTIONS, LSAN_OPTIONS and UBSAN_OPTIONS still add to them). */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Whether mpirun started this process (it sets OMPI_COMM_WORLD_SIZE). The
 * sanitizers ask for their options before libc is set up, when getenv
 * finds nothing: the environment is read from /proc with raw syscalls. */
static int underMpirun(void) {
  static char environment[1 << 16];
  static const char name[] = "OMPI_COMM_WORLD_SIZE=";
  long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/environ", O_RDONLY);
  if (fd < 0)
    return 0;
  long size = syscall(SYS_read, fd, environment, sizeof environment - 1);
  syscall(SYS_close, fd);
  for (long at = 0; at < size; at += (long)strlen(environment + at) + 1)
    if (strncmp(environment + at, name, sizeof name - 1) == 0)
      return 1;
  return 0;
}

/* allow_user_poisoning=0: LLVM and MLIR are prebuilt without ASan, but
 * their headers' inline allocators (BumpPtrAllocator) poison and unpoison
 * memory when the includer is instrumented. Our instrumented copy poisons a
 * slab that the prebuilt copy then hands out without unpoisoning, and every
 * MLIRContext reports a use-after-poison at construction. Real overflows
 * and uses after free are still caught: they need no user poisoning.
 *
 * In an MPI rank, also fast_unwind_on_malloc=0: OpenMPI leaks at
 * MPI_Finalize from plugins it has unloaded by then, where the fast
 * unwinder stops at an unknown module; the full stack reaches OpenMPI's
 * libraries, which the suppressions below name. Slow, so only there. */
__attribute__((visibility("default"), used)) const char *
__asan_default_options(void) {
  return underMpirun() ? "allow_user_poisoning=0:fast_unwind_on_malloc=0"
                       : "allow_user_poisoning=0";
}

__attribute__((visibility("default"), used)) const char *
__lsan_default_suppressions(void) {
  return "leak:libmpi.so\n"
         "leak:libopen-pal.so\n"
         "leak:libopen-rte.so\n"
         "leak:mca_\n"
         "leak:libpmix.so\n"
         "leak:libevent\n"
         "leak:libhwloc.so\n";
}

__attribute__((visibility("default"), used)) const char *
__ubsan_default_options(void) {
  return "print_stacktrace=1";
}
