/// The pixel numbering scheme of a HEALPix grid (Górski et al. 2005, §4).
///
/// Both schemes number the same `12·Nside²` pixels; they differ only in the order.
public enum HEALPixOrdering: String, Sendable, Hashable, CaseIterable {
    /// Pixels counted ring by ring from the north pole, west to east from longitude 0 within a ring.
    case ring
    /// Pixels counted base face by base face, each face as a quadtree (Morton order): the children of
    /// pixel `p` at `2·Nside` are `4p … 4p+3`. Needs `Nside` a power of two.
    case nested
}
