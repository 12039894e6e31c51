#ifndef CUBEGEN_CNETCDF_SHIM_H
#define CUBEGEN_CNETCDF_SHIM_H
#include <netcdf.h>
#include <hdf5/serial/hdf5.h>

/// Turns off HDF5's automatic error printing on the calling thread (Debian's HDF5 is built
/// thread-safe, so the setting is per thread). Wraps `H5Eset_auto2(H5E_DEFAULT, NULL, NULL)`.
static inline void cubegen_hdf5_silence_errors(void) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/// Opens an HDF5 (netCDF-4) file read-only beside netCDF's own handle on it: the weak close
/// degree is the one that coexists with netCDF's. Wraps the `H5P_FILE_ACCESS` and `H5F_ACC_RDONLY`
/// macros, which do not import into Swift. Returns a negative id on failure.
static inline hid_t cubegen_hdf5_open_readonly(const char *path) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    H5Pset_fclose_degree(fapl, H5F_CLOSE_WEAK);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return file;
}
#endif
