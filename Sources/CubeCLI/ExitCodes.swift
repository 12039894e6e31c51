import ArgumentParser
import CubeGen

/// The CLI's exit codes; the only place errors become exit statuses.
enum ExitCodes {
    /// The recipe is invalid.
    static let invalidRecipe: Int32 = 2
    /// An input is missing or not understood.
    static let invalidInput: Int32 = 3
    /// The output exists and may not be replaced.
    static let outputExists: Int32 = 4
    /// Something asked for is not supported yet.
    static let unsupported: Int32 = 5
    /// An object store or web server refused or could not be reached.
    static let storage: Int32 = 6
    /// Any other failure.
    static let failure: Int32 = 1

    static func code(_ error: CubeError) -> Int32 {
        switch error.code {
        case .invalidRecipe: return invalidRecipe
        case .invalidInput: return invalidInput
        case .outputExists: return outputExists
        case .unsupported: return unsupported
        case .storage: return storage
        default: return failure
        }
    }

    /// Runs `body`; a thrown error becomes one line on stderr and a non-zero exit.
    static func guarding(verbose: Bool, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CubeError {
            Terminal.error(verbose ? error.detailedDescription : "error: \(error.message)")
            throw ExitCode(code(error))
        } catch let error as StorageError {
            Terminal.error("error: \(error)")
            throw ExitCode(storage)
        } catch let error as ExitCode {
            throw error
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(failure)
        }
    }
}
