#ifndef CUBEGEN_CPROJ_SHIM_H
#define CUBEGEN_CPROJ_SHIM_H
#include <proj.h>
#endif
