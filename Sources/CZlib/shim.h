#ifndef CUBEGEN_CZLIB_SHIM_H
#define CUBEGEN_CZLIB_SHIM_H
#include <zlib.h>

/// `deflateInit2` is a macro in zlib.h; this wraps it for Swift.
static inline int cubegen_deflate_init2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
/// `inflateInit2` is a macro in zlib.h; this wraps it for Swift.
static inline int cubegen_inflate_init2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
