#include <git2.h>

/* git_libgit2_opts is variadic, which Swift cannot call; these fix each option's argument types. */

/** Configures libgit2 for read-only scanning: no SHA-1 re-verification of every object read,
    small mmap windows with a capped total so resident memory stays bounded, no blob caching,
    and no repository-owner check (keyledger only reads objects; it never runs hooks or filters). */
static inline void keyledger_git_configure_for_scanning(size_t window_size, size_t mapped_limit) {
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, window_size);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, mapped_limit);
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB, (size_t)0);
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}
