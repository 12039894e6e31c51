import Foundation

/// The ecCodes definitions CubeGen adds to Debian's ecCodes 2.28, which predates GRIB 2 grid
/// definition template 3.150 (HEALPix, ecCodes 2.32) and cannot even open such a message
/// ("Unable to find template"). Written for CubeGen from the WMO GRIB2 template 3.150 layout
/// (octets 15–30 shape of the Earth, 31 resolution and component flags, 32–35 Nside, 36–39
/// longitude of the first grid point in micro-degrees, 40 point position (code table 3.8), 41
/// ordering (0 ring, 1 nested), 42 scanning mode). The files are written once to a folder of their
/// own and put first on the definitions path, before the library's.
enum GRIBDefinitions {
    /// Relative path → text.
    static let files: [String: String] = [
        "grib2/template.3.150.def": """
            # CubeGen: grid definition template 3.150, HEALPix (WMO GRIB2; Górski et al. 2005).
            include "grib2/template.3.shape_of_the_earth.def";
            include "grib2/template.3.resolution_flags.def";
            unsigned[4] Nside : dump;
            alias N = Nside;
            unsigned[4] longitudeOfFirstGridPoint : dump;
            meta geography.longitudeOfFirstGridPointInDegrees scale(longitudeOfFirstGridPoint, one, grib2divider, truncateDegrees) : dump;
            unsigned[1] pointPosition : dump;
            unsigned[1] ordering : dump;
            include "grib2/template.3.scanning_mode.def";

            """,
    ]

    /// The folder holding the files (created on first use), versioned by their content.
    static let folder: String? = {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cubegen-eccodes-definitions-1")
        do {
            for (relative, text) in files {
                let url = base.appendingPathComponent(relative)
                if let existing = try? String(contentsOf: url, encoding: .utf8), existing == text { continue }
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                let temporary = url.appendingPathExtension("\(ProcessInfo.processInfo.processIdentifier).tmp")
                try text.write(to: temporary, atomically: false, encoding: .utf8)
                guard rename(temporary.path, url.path) == 0 else { return nil }
            }
            return base.path
        } catch {
            return nil
        }
    }()
}
