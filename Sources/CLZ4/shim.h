#ifndef CUBEGEN_CLZ4_SHIM_H
#define CUBEGEN_CLZ4_SHIM_H
#include <lz4.h>
#endif
