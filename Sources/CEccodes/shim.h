#ifndef CUBEGEN_CECCODES_SHIM_H
#define CUBEGEN_CECCODES_SHIM_H
#include <eccodes.h>
#endif
