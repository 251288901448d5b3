# Sourced by the scripts that start Node: glibc settings that keep the resident memory of a
# process with many threads (GDAL's pool, kernel workers) close to what it really uses.
# - at most two malloc arenas instead of up to eight per core, so memory freed by one thread is
#   reused by the others instead of stranded in its own arena;
# - a fixed mmap threshold, so large buffers (tile planes) always go back to the system when
#   freed (glibc otherwise raises the threshold and serves them from the heap, which only grows).
# Values already in the environment win.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
