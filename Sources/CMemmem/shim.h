// glibc's memmem (a GNU extension the Swift Glibc module does not export): linear-time substring search in bytes.
#include <stddef.h>
void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
