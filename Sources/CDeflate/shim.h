#ifndef CUBEGEN_CDEFLATE_SHIM_H
#define CUBEGEN_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
