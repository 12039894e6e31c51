#ifndef CUBEGEN_CNETCDF_SHIM_H
#define CUBEGEN_CNETCDF_SHIM_H
#include <netcdf.h>
#include <hdf5/serial/hdf5.h>

/// Turns off HDF5's automatic error printing on the calling thread (Debian's HDF5 is built
/// thread-safe, so the setting is per thread). Wraps `H5Eset_auto2(H5E_DEFAULT, NULL, NULL)`.
static inline void cubegen_hdf5_silence_errors(void) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}
#endif
