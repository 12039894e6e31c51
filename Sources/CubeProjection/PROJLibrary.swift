internal import CPROJ

/// Facts about the PROJ library in use.
public enum PROJLibrary {
    /// PROJ's release text (`proj_info().release`, e.g. "Rel. 9.1.1, December 1st, 2022") reduced to
    /// the version number.
    public static var version: String {
        let info = proj_info()
        return "\(info.major).\(info.minor).\(info.patch)"
    }
}
