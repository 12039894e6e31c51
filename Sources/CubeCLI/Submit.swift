import ArgumentParser
import CubeGen
import Foundation

extension CubeCommand {
    /// `cubegen submit RECIPE --slurm|--kubernetes --shards N`.
    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a cube on a batch system: N shards in parallel, then one finalize job.",
            discussion: """
                --slurm writes an sbatch job array (task i runs 'cubegen run RECIPE --shard auto/N') and a finalize job \
                that depends on it (afterok), submits both and prints the job ids (--dry-run only writes them). \
                --kubernetes writes an Indexed Job and a finalize Job (YAML, for a cube on S3) and never applies them.
                """)

        @OptionGroup var options: RecipeOptions

        @Flag(help: "Submit to Slurm with sbatch.")
        var slurm = false

        @Flag(help: "Write Kubernetes manifests (not applied).")
        var kubernetes = false

        @Option(help: "The number of shards (array tasks or pods).")
        var shards: Int

        @Option(name: .customLong("sbatch-option"), help: "An extra #SBATCH line for both jobs, e.g. --sbatch-option=--partition=debug (repeatable).")
        var sbatchOptions: [String] = []

        @Option(help: "Workers per shard (--cpus-per-task on Slurm).")
        var workersPerShard: Int = 1

        @Option(help: "Where the job files go (default: NAME.cubegen-jobs beside the recipe).")
        var jobsDir: String?

        @Option(help: "Kubernetes: the container image holding cubegen.")
        var image: String = "cubegen:latest"

        @Option(help: "Kubernetes: CPU per pod.")
        var cpu: String = "2"

        @Option(help: "Kubernetes: memory per pod.")
        var memory: String = "4Gi"

        @Option(help: "Kubernetes: a Secret holding AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the pods.")
        var credentialsSecret: String?

        @Option(help: "Kubernetes: the namespace.")
        var namespace: String?

        @Flag(help: "Write the job files and print what would be submitted, without submitting.")
        var dryRun = false

        func validate() throws {
            guard slurm != kubernetes else { throw ValidationError("choose one of --slurm and --kubernetes") }
            guard shards >= 1 else { throw ValidationError("--shards must be at least 1") }
            guard workersPerShard >= 1 else { throw ValidationError("--workers-per-shard must be at least 1") }
        }

        func run() async throws {
            try await ExitCodes.guarding(verbose: options.verbose) {
                let pipeline = Pipeline()
                let recipe = try pipeline.load(recipeAt: options.recipe)
                let plan = try await pipeline.plan(recipe)
                let recipePath = recipe.fileURL.standardizedFileURL.path
                let directory = jobsDir.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                    ?? recipe.directory.appendingPathComponent("\(recipe.cube.id).cubegen-jobs").path
                if shards > plan.taskCount {
                    Terminal.error("warning: \(shards) shards for \(plan.taskCount) tasks: \(shards - plan.taskCount) shards will have nothing to do")
                }
                if slurm {
                    try submitSlurm(recipePath: recipePath, directory: directory, name: recipe.cube.id)
                } else {
                    if !recipe.output.path.contains("://") {
                        Terminal.error("warning: output.path '\(recipe.output.path)' is local to each pod; Kubernetes shards need a shared output such as s3://bucket/prefix/NAME.zarr")
                    }
                    let jobs = KubernetesJobs(recipeText: recipe.text, shards: shards, image: image, cpu: cpu, memory: memory,
                                              credentialsSecret: credentialsSecret, namespace: namespace, name: recipe.cube.id)
                    let files = try jobs.write(to: directory)
                    for file in files { Terminal.output("wrote \(file)") }
                    let ns = namespace.map { " -n \($0)" } ?? ""
                    Terminal.output("apply with: kubectl apply\(ns) -f \(files[0]) && kubectl wait\(ns) --for=condition=complete --timeout=24h job/\(jobs.name)-fill && kubectl apply\(ns) -f \(files[1])")
                }
            }
        }

        private func submitSlurm(recipePath: String, directory: String, name: String) throws {
            let jobs = SlurmJobs(recipePath: recipePath, shards: shards, executable: Submit.executablePath, options: sbatchOptions,
                                 workersPerShard: workersPerShard, directory: directory, name: name)
            for file in try jobs.write() { Terminal.output("wrote \(file)") }
            if dryRun {
                Terminal.output("would run: sbatch \(jobs.fillSubmission.joined(separator: " "))")
                Terminal.output("then: sbatch \(jobs.finalizeSubmission(after: "ARRAY_JOB_ID").joined(separator: " "))")
                return
            }
            let array = try Submit.sbatch(jobs.fillSubmission)
            let finalize = try Submit.sbatch(jobs.finalizeSubmission(after: array))
            Terminal.output("submitted job array \(array) (\(shards) shards) and finalize job \(finalize) (afterok:\(array)); logs in \(directory)")
        }

        /// This executable's absolute path, for the job scripts.
        static var executablePath: String {
            let argument = CommandLine.arguments[0]
            if argument.contains("/") { return URL(fileURLWithPath: argument).standardizedFileURL.resolvingSymlinksInPath().path }
            return argument
        }

        /// Runs sbatch and returns the job id it prints (`--parsable`).
        static func sbatch(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sbatch"] + arguments
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            do {
                try process.run()
            } catch {
                throw CubeError(.io, "cannot run sbatch: \(error.localizedDescription)")
            }
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            guard process.terminationStatus == 0, let id = text.split(separator: "\n").first?.split(separator: ";").first else {
                throw CubeError(.io, "sbatch \(arguments.joined(separator: " ")) failed: \(problem.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            return String(id)
        }
    }
}
