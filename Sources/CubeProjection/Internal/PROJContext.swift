internal import CPROJ

/// A PROJ context and the objects created in it; one per thread of use (PROJ's rule).
///
/// Owns its `PJ_CONTEXT`; objects handed out by `create` are destroyed with the context.
final class PROJContext {
    let context: OpaquePointer
    private var objects: [OpaquePointer] = []

    init() {
        context = proj_context_create()
        proj_log_level(context, PJ_LOG_NONE)
    }

    deinit {
        for object in objects.reversed() { proj_destroy(object) }
        proj_context_destroy(context)
    }

    /// The text of the context's last error.
    var lastError: String {
        let code = proj_context_errno(context)
        guard code != 0, let text = proj_context_errno_string(context, code) else { return "unknown error" }
        return String(cString: text)
    }

    /// Keeps `object` alive as long as the context, and returns it.
    func own(_ object: OpaquePointer) -> OpaquePointer {
        objects.append(object)
        return object
    }

    /// Creates a CRS from a user definition (EPSG code, WKT or PROJ string).
    func crs(_ text: String) throws(PROJError) -> OpaquePointer {
        guard let object = proj_create(context, text) else {
            throw PROJError(function: "proj_create", definition: text, reason: lastError)
        }
        return own(object)
    }
}

/// A failed PROJ call.
public struct PROJError: Error, Sendable, CustomStringConvertible {
    /// The C function, for example `"proj_create"`.
    public var function: String
    /// The CRS definition involved.
    public var definition: String
    /// PROJ's error text.
    public var reason: String

    /// One line.
    public var description: String { "\(function)(\(definition.prefix(80))): \(reason)" }
}
