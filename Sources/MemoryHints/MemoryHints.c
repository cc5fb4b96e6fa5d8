// The prefetch hint is a static inline function in include/MemoryHints.h; SwiftPM needs one
// source file for a C target.
#include "MemoryHints.h"
