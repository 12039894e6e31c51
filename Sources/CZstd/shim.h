#ifndef CUBEGEN_CZSTD_SHIM_H
#define CUBEGEN_CZSTD_SHIM_H
#include <zstd.h>
#endif
