//! Tuning of glibc's allocator for bulk work.
//!
//! A rebuild decodes millions of events in batches and frees each batch at once. glibc keeps
//! small freed blocks in "fastbins" and merges them all (`malloc_consolidate`) whenever a larger
//! block is asked for, which event payloads often are: perf showed that merging at 10–15% of a
//! rebuild's CPU. Without fastbins the per-thread cache (tcache) still serves small blocks, and
//! nothing is left to merge: reading and decoding the 3.4-million-event benchmark store went
//! from 43–49 s to 33–39 s. The server is left as it is: there the gain did not show, and its
//! memory matters more.

/// Turn glibc's fastbins off for the rest of the process (`mallopt(M_MXFAST, 0)`). Elsewhere
/// (musl, macOS) this does nothing.
pub fn tune_for_bulk_work() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes a tuning parameter of glibc's allocator, under the
        // allocator's own lock; 0 is a documented value of M_MXFAST (mallopt(3)).
        let done = unsafe { libc::mallopt(libc::M_MXFAST, 0) };
        if done != 1 {
            tracing::debug!("mallopt(M_MXFAST, 0) was refused; the allocator stays as it was");
        }
    }
}
