#ifndef CUBEGEN_CBZIP2_SHIM_H
#define CUBEGEN_CBZIP2_SHIM_H
#include <bzlib.h>
#endif
