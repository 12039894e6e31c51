#ifndef CUBEGEN_CGEOTIFF_SHIM_H
#define CUBEGEN_CGEOTIFF_SHIM_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <pthread.h>
#include <geotiff/geotiffio.h>
#include <geotiff/xtiffio.h>
#include <geotiff/geo_normalize.h>
#include <geotiff/geovalues.h>

/// An open TIFF file and the last message libtiff reported for it. libtiff's error handler
/// (`TIFFOpenOptionsSetErrorHandlerExtR`, libtiff ≥ 4.5) writes into `message`, so errors are
/// per file and nothing is printed. Allocated and freed by the functions below.
typedef struct cubegen_tiff {
    TIFF *tif;
    char message[512];
} cubegen_tiff;

static int cubegen_tiff_on_error(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void)tif; (void)module;
    cubegen_tiff *handle = (cubegen_tiff *)user_data;
    if (handle) vsnprintf(handle->message, sizeof handle->message, fmt, ap);
    return 1;
}

static int cubegen_tiff_on_warning(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void)tif; (void)user_data; (void)module; (void)fmt; (void)ap;
    return 1;   // warnings (unknown tags, …) are not shown
}

static void cubegen_geotiff_register_once(void) { XTIFFInitialize(); }

/// Registers the GeoTIFF tags with libtiff (`XTIFFInitialize`, once per process) so that
/// libgeotiff reads them with the counts it expects; without it libtiff registers them as
/// anonymous tags and `GTIFNew` misreads them. Called by the open functions below.
static inline void cubegen_geotiff_register_tags(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, cubegen_geotiff_register_once);
}

/// A zeroed handle and open options whose error and warning handlers write into it; the GeoTIFF
/// tags registered first. NULL when out of memory. The caller frees the options after opening.
static inline cubegen_tiff *cubegen_tiff_alloc(TIFFOpenOptions **options) {
    cubegen_geotiff_register_tags();
    cubegen_tiff *handle = (cubegen_tiff *)calloc(1, sizeof(cubegen_tiff));
    if (!handle) return NULL;
    *options = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(*options, cubegen_tiff_on_error, handle);
    TIFFOpenOptionsSetWarningHandlerExtR(*options, cubegen_tiff_on_warning, handle);
    return handle;
}

/// Opens the file at `path` read-only. Returns a handle whose `tif` is NULL when opening failed
/// (then `message` says why), or NULL when out of memory; free it with `cubegen_tiff_close`.
/// Wraps `TIFFOpenExt`.
static inline cubegen_tiff *cubegen_tiff_open(const char *path) {
    TIFFOpenOptions *options = NULL;
    cubegen_tiff *handle = cubegen_tiff_alloc(&options);
    if (!handle) return NULL;
    handle->tif = TIFFOpenExt(path, "r", options);
    TIFFOpenOptionsFree(options);
    return handle;
}

/// Opens a TIFF whose bytes come from callbacks (ranged reads of a remote object, a memory
/// buffer). `context` is passed back to every callback. Wraps `TIFFClientOpenExt`.
static inline cubegen_tiff *cubegen_tiff_client_open(const char *name, void *context, TIFFReadWriteProc read,
                                                     TIFFSeekProc seek, TIFFCloseProc close, TIFFSizeProc size) {
    TIFFOpenOptions *options = NULL;
    cubegen_tiff *handle = cubegen_tiff_alloc(&options);
    if (!handle) return NULL;
    handle->tif = TIFFClientOpenExt(name, "rm", (thandle_t)context, read, read, seek, close, size, NULL, NULL, options);
    TIFFOpenOptionsFree(options);
    return handle;
}

/// Closes the file (if open) and frees the handle. Wraps `TIFFClose`.
static inline void cubegen_tiff_close(cubegen_tiff *handle) {
    if (!handle) return;
    if (handle->tif) TIFFClose(handle->tif);
    free(handle);
}

/// Reads a 16-bit tag; returns 1 when present (or defaulted by libtiff). Wraps `TIFFGetFieldDefaulted`.
static inline int cubegen_tiff_u16(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}

/// Reads a 32-bit tag; returns 1 when present (or defaulted). Wraps `TIFFGetFieldDefaulted`.
static inline int cubegen_tiff_u32(TIFF *tif, uint32_t tag, uint32_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}

/// Reads a tag libtiff does not know (registered as anonymous when the directory was read) or
/// knows as a counted array: sets `*values` to libtiff's copy, returns the count, or -1 when
/// the tag is absent. Wraps `TIFFGetField` with the count form its field definition asks for.
static inline long cubegen_tiff_array(TIFF *tif, uint32_t tag, const void **values) {
    const TIFFField *field = TIFFFieldWithTag(tif, tag);
    if (!field) return -1;
    if (TIFFFieldPassCount(field)) {
        if (TIFFFieldReadCount(field) == TIFF_VARIABLE2) {
            uint32_t count = 0;
            if (!TIFFGetField(tif, tag, &count, values)) return -1;
            return (long)count;
        }
        uint16_t count = 0;
        if (!TIFFGetField(tif, tag, &count, values)) return -1;
        return (long)count;
    }
    if (!TIFFGetField(tif, tag, values)) return -1;
    return *values ? (long)strlen((const char *)*values) : -1;
}

/// Asks libtiff's JPEG codec for RGB instead of YCbCr samples. Wraps `TIFFSetField(…, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB)`.
static inline int cubegen_tiff_jpeg_rgb(TIFF *tif) {
    return TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
}

/// libgeotiff's version as a number (1710 for 1.7.1). Wraps the `LIBGEOTIFF_VERSION` macro.
static inline int cubegen_geotiff_version(void) { return LIBGEOTIFF_VERSION; }

/// What the GeoKeys of the current directory say, normalised by libgeotiff.
typedef struct cubegen_geokeys {
    /// 1 when the directory has GeoKeys at all.
    int present;
    /// `GTModelTypeGeoKey`: 1 projected, 2 geographic, 3 geocentric, 0 absent.
    int model_type;
    /// `GTRasterTypeGeoKey`: 1 pixel is area, 2 pixel is point, 0 absent.
    int raster_type;
    /// The EPSG code of the projected CRS (`ProjectedCSTypeGeoKey`), or 0/32767 (user-defined).
    int pcs;
    /// The EPSG code of the geographic CRS (`GeographicTypeGeoKey`), or 0/32767.
    int gcs;
    /// 1 when `GTIFGetDefn` understood the keys.
    int defined;
    /// The PROJ.4 string of the CRS (`GTIFGetProj4Defn`), empty when libgeotiff cannot make one.
    char proj4[1024];
} cubegen_geokeys;

static void cubegen_geotiff_on_error(GTIF *gtif, int level, const char *message, ...) {
    (void)gtif; (void)level; (void)message;
    // damaged keys are skipped by libgeotiff; the store reports what it cannot use
}

/// Reads and normalises the GeoKeys of the current directory, without printing libgeotiff's
/// complaints about damaged keys. Wraps `GTIFNewEx`, `GTIFKeyGet`, `GTIFGetDefn` and `GTIFGetProj4Defn`.
static inline void cubegen_geotiff_keys(TIFF *tif, cubegen_geokeys *out) {
    memset(out, 0, sizeof *out);
    GTIF *gtif = GTIFNewEx(tif, cubegen_geotiff_on_error, NULL);
    if (!gtif) return;
    unsigned short value = 0;
    int keys = 0;
    if (GTIFKeyGet(gtif, GTModelTypeGeoKey, &value, 0, 1) == 1) { out->model_type = value; keys++; }
    if (GTIFKeyGet(gtif, GTRasterTypeGeoKey, &value, 0, 1) == 1) { out->raster_type = value; keys++; }
    if (GTIFKeyGet(gtif, ProjectedCSTypeGeoKey, &value, 0, 1) == 1) { out->pcs = value; keys++; }
    if (GTIFKeyGet(gtif, GeographicTypeGeoKey, &value, 0, 1) == 1) { out->gcs = value; keys++; }
    out->present = keys > 0;
    GTIFDefn *defn = GTIFAllocDefn();
    if (defn && GTIFGetDefn(gtif, defn)) {
        out->defined = 1;
        char *proj4 = GTIFGetProj4Defn(defn);
        if (proj4) {
            snprintf(out->proj4, sizeof out->proj4, "%s", proj4);
            GTIFFreeMemory(proj4);
        }
    }
    if (defn) GTIFFreeDefn(defn);
    GTIFFree(gtif);
}
#endif
