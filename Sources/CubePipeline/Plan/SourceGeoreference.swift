import CubeCore
import CubeProjection
import CubeRecipe

/// The georeferencing a source's recipe entry gives its files (`crs:`, `geotransform:`), with the
/// CRS checked by PROJ.
enum SourceGeoreference {
    /// The assignment of `section`, or `nil` when it gives neither key.
    /// - Throws: `CubeError` naming the recipe key when PROJ does not know the CRS.
    static func assigned(_ section: SourceSection, recipe: Recipe) throws -> AssignedGeoreference? {
        guard section.crs != nil || section.geotransform != nil else { return nil }
        var definition: CRSDefinition?
        var isGeographic = false
        if let text = section.crs {
            do {
                let description = try CRSDescription(CRSDefinition(text))
                (definition, isGeographic) = (description.definition, description.isGeographic)
            } catch let error as CubeError {
                throw recipe.error("\(section.keyPath).crs", error.message)
            }
        }
        do {
            return try AssignedGeoreference(crs: definition, isGeographic: isGeographic, geotransform: section.geotransform)
        } catch let error as CubeError {
            throw recipe.error("\(section.keyPath).geotransform", error.message)
        }
    }
}
