import CubeStorage
import Testing

/// Shell-style matching on store keys: what each wildcard matches, that `*` and `?` stay within a
/// segment, and the literal prefix a listing starts from.
@Suite struct KeyPatternTests {
    @Test func literalPrefixEndsAtTheFirstWildcard() {
        #expect(KeyPattern("era5/2020/*.nc").literalPrefix == "era5/2020/")
        #expect(KeyPattern("era5/2020-0[1-3]/t2m.nc").literalPrefix == "era5/2020-0")
        #expect(KeyPattern("a/b?c").literalPrefix == "a/b")
        #expect(KeyPattern("*.nc").literalPrefix == "")
        #expect(KeyPattern("plain/key.nc").literalPrefix == "plain/key.nc")
        #expect(!KeyPattern("plain/key.nc").hasWildcards)
        #expect(KeyPattern("a/[x]").hasWildcards)
    }

    @Test func starMatchesWithinOneSegment() {
        let pattern = KeyPattern("data/*.nc")
        #expect(pattern.matches("data/a.nc"))
        #expect(pattern.matches("data/.nc"))
        #expect(!pattern.matches("data/sub/a.nc"))
        #expect(!pattern.matches("data/a.nc4"))
        #expect(!pattern.matches("data/a.n"))
        #expect(!pattern.matches("other/a.nc"))
        #expect(KeyPattern("*/*.nc").matches("x/y.nc"))
        #expect(!KeyPattern("*").matches("x/y"))
        #expect(KeyPattern("d/*a*b*").matches("d/xaybz"))
        #expect(!KeyPattern("d/*a*b").matches("d/a/ab"))
        #expect(KeyPattern("d/*ab*/z").matches("d/ab_ab/z"))
        #expect(KeyPattern("**.nc").matches("a.nc"))
        #expect(!KeyPattern("**.nc").matches("a/b.nc"), "** is two stars, not a recursive wildcard")
    }

    @Test func questionMarkAndSets() {
        #expect(KeyPattern("t?.nc").matches("t1.nc"))
        #expect(!KeyPattern("t?.nc").matches("t12.nc"))
        #expect(!KeyPattern("a?b").matches("a/b"))
        let months = KeyPattern("2020-0[1-3].nc")
        #expect(["2020-01.nc", "2020-02.nc", "2020-03.nc"].allSatisfy(months.matches))
        #expect(!months.matches("2020-04.nc"))
        #expect(KeyPattern("[!a]x").matches("bx"))
        #expect(!KeyPattern("[!a]x").matches("ax"))
        #expect(KeyPattern("[^a]x").matches("cx"))
        #expect(!KeyPattern("[!a]x").matches("/x"), "a set never matches '/'")
        #expect(KeyPattern("[]a]").matches("]"), "']' first in a set is a member")
        #expect(KeyPattern("[a-]").matches("-"))
        #expect(KeyPattern("x[").matches("x["), "an unclosed '[' stands for itself")
        #expect(!KeyPattern("x[").matches("xa"))
    }
}
