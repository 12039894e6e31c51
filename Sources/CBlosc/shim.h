#ifndef CUBEGEN_CBLOSC_SHIM_H
#define CUBEGEN_CBLOSC_SHIM_H
#include <blosc.h>
#endif
