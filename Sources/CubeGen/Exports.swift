// The umbrella library for embedding CubeGen: `import CubeGen` brings the pipeline and the
// types its API uses.
@_exported import CubeCatalog
@_exported import CubeCore
@_exported import CubePipeline
@_exported import CubeProjection
@_exported import CubeRecipe
@_exported import CubeResampling
@_exported import CubeSampling
@_exported import CubeStorage
@_exported import CubeStoreGRIB
@_exported import CubeStoreNetCDF
@_exported import CubeStoreZarr
@_exported import Zarr
