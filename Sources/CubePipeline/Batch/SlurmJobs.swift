import Foundation

/// The sbatch scripts that build a cube on Slurm: a job array whose task `i` runs
/// `cubegen run RECIPE --shard auto/N`, and a finalize job that runs after every array task
/// succeeded (`--dependency=afterok:ARRAY`).
public struct SlurmJobs: Sendable {
    /// The recipe, as an absolute path the compute nodes can read.
    public var recipePath: String
    /// The number of shards (array tasks).
    public var shards: Int
    /// The cubegen executable, as an absolute path (or a name on the nodes' PATH).
    public var executable: String
    /// Extra `#SBATCH` options, each like `--partition=debug` or `--time=01:00:00`.
    public var options: [String]
    /// Workers per array task (`--workers`; also its `--cpus-per-task`).
    public var workersPerShard: Int
    /// Where the scripts and the logs go.
    public var directory: String
    /// A name for the jobs.
    public var name: String

    /// Creates the job description.
    public init(recipePath: String, shards: Int, executable: String, options: [String] = [], workersPerShard: Int = 1,
                directory: String, name: String) {
        self.recipePath = recipePath
        self.shards = shards
        self.executable = executable
        self.options = options
        self.workersPerShard = workersPerShard
        self.directory = directory
        self.name = name
    }

    /// The array job's script.
    public var fillScript: String {
        script(job: "\(name)-fill", lines: ["#SBATCH --array=0-\(shards - 1)", "#SBATCH --cpus-per-task=\(workersPerShard)",
                                            "#SBATCH --output=\(directory)/fill-%a.log"],
               command: "\(quoted(executable)) run \(quoted(recipePath)) --shard auto/\(shards) --workers \(workersPerShard)")
    }

    /// The finalize job's script (submitted with `--dependency=afterok:ARRAY`).
    public var finalizeScript: String {
        script(job: "\(name)-finalize", lines: ["#SBATCH --output=\(directory)/finalize.log"],
               command: "\(quoted(executable)) finalize \(quoted(recipePath))")
    }

    /// The `sbatch` arguments that submit the fill array (print the job id only).
    public var fillSubmission: [String] { ["--parsable", "\(directory)/fill.sbatch"] }

    /// The `sbatch` arguments that submit the finalize job after array job `arrayJob`.
    public func finalizeSubmission(after arrayJob: String) -> [String] {
        ["--parsable", "--dependency=afterok:\(arrayJob)", "--kill-on-invalid-dep=yes", "\(directory)/finalize.sbatch"]
    }

    /// Writes `fill.sbatch` and `finalize.sbatch` into `directory`.
    /// - Returns: their paths.
    public func write() throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = [("fill.sbatch", fillScript), ("finalize.sbatch", finalizeScript)]
        for (file, text) in files {
            let path = "\(directory)/\(file)"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        return files.map { "\(directory)/\($0.0)" }
    }

    private func script(job: String, lines: [String], command: String) -> String {
        (["#!/bin/sh", "#SBATCH --job-name=\(job)"] + lines + options.map { "#SBATCH \($0)" }
            + ["set -e", "exec \(command)"]).joined(separator: "\n") + "\n"
    }

    private func quoted(_ text: String) -> String {
        text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=:,".contains($0) } ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
