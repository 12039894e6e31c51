import Foundation

/// Kubernetes manifests that build a cube kept in object storage: a ConfigMap holding the recipe,
/// an Indexed Job whose pod `i` runs `cubegen run RECIPE --shard auto/N` (Kubernetes sets
/// `JOB_COMPLETION_INDEX`), and a finalize Job to apply once the first completed
/// (`kubectl wait --for=condition=complete job/NAME-fill`). CubeGen writes them; it never applies them.
public struct KubernetesJobs: Sendable {
    /// The recipe's text (mounted into the pods from the ConfigMap).
    public var recipeText: String
    /// The number of shards (completions of the Indexed Job).
    public var shards: Int
    /// Pods of the Indexed Job running at once (default: all).
    public var parallelism: Int
    /// The container image holding `cubegen`.
    public var image: String
    /// CPU request and limit per pod, for example `"2"`.
    public var cpu: String
    /// Memory request and limit per pod, for example `"4Gi"`.
    public var memory: String
    /// A Secret whose keys become environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, …);
    /// `nil` for none (anonymous access or credentials from the node).
    public var credentialsSecret: String?
    /// The namespace, or `nil` for the current one.
    public var namespace: String?
    /// The jobs' name prefix (a DNS label).
    public var name: String

    /// Creates the description.
    public init(recipeText: String, shards: Int, parallelism: Int? = nil, image: String, cpu: String = "2", memory: String = "4Gi",
                credentialsSecret: String? = nil, namespace: String? = nil, name: String) {
        self.recipeText = recipeText
        self.shards = shards
        self.parallelism = parallelism ?? shards
        self.image = image
        self.cpu = cpu
        self.memory = memory
        self.credentialsSecret = credentialsSecret
        self.namespace = namespace
        self.name = KubernetesJobs.dnsLabel(name)
    }

    /// A DNS-1123 label made from `text`: lowercase letters, digits and `-`, at most 40 characters.
    public static func dnsLabel(_ text: String) -> String {
        var label = String(text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }.prefix(40))
        while label.hasPrefix("-") { label.removeFirst() }
        while label.hasSuffix("-") { label.removeLast() }
        return label.isEmpty ? "cube" : label
    }

    /// The ConfigMap with the recipe, then the Indexed Job (one YAML stream).
    public var fillManifest: String {
        [configMap, job(name: "\(name)-fill", command: ["run", "/recipe/recipe.yaml", "--shard", "auto/\(shards)", "--workers", cpuWorkers],
                        indexed: true)].joined(separator: "---\n")
    }

    /// The finalize Job.
    public var finalizeManifest: String {
        job(name: "\(name)-finalize", command: ["finalize", "/recipe/recipe.yaml"], indexed: false)
    }

    /// Writes `fill.yaml` and `finalize.yaml` into `directory`; returns their paths.
    public func write(to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = [("fill.yaml", fillManifest), ("finalize.yaml", finalizeManifest)]
        for (file, text) in files { try text.write(toFile: "\(directory)/\(file)", atomically: true, encoding: .utf8) }
        return files.map { "\(directory)/\($0.0)" }
    }

    private var cpuWorkers: String { String(max(1, Int(Double(cpu) ?? 1))) }

    private var metadata: [String] {
        ["metadata:"] + ["  name: NAME"] + (namespace.map { ["  namespace: \(quoted($0))"] } ?? [])
            + ["  labels:", "    app.kubernetes.io/name: cubegen", "    app.kubernetes.io/instance: \(name)"]
    }

    private var configMap: String {
        var lines = ["apiVersion: v1", "kind: ConfigMap"] + metadata.map { $0.replacingOccurrences(of: "NAME", with: "\(name)-recipe") }
        lines += ["data:", "  recipe.yaml: |"]
        lines += recipeText.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    private func job(name jobName: String, command: [String], indexed: Bool) -> String {
        var lines = ["apiVersion: batch/v1", "kind: Job"] + metadata.map { $0.replacingOccurrences(of: "NAME", with: jobName) }
        lines += ["spec:"]
        if indexed {
            lines += ["  completionMode: Indexed", "  completions: \(shards)", "  parallelism: \(parallelism)", "  backoffLimitPerIndex: 2"]
        } else {
            lines += ["  completions: 1", "  backoffLimit: 2"]
        }
        lines += ["  template:", "    metadata:", "      labels:", "        app.kubernetes.io/name: cubegen",
                  "        app.kubernetes.io/instance: \(name)", "    spec:", "      restartPolicy: Never", "      containers:",
                  "        - name: cubegen", "          image: \(quoted(image))", "          command: [\"cubegen\"]",
                  "          args: [\(command.map { quoted($0) }.joined(separator: ", "))]"]
        if let credentialsSecret {
            lines += ["          envFrom:", "            - secretRef:", "                name: \(quoted(credentialsSecret))"]
        }
        lines += ["          resources:", "            requests: {cpu: \(quoted(cpu)), memory: \(quoted(memory))}",
                  "            limits: {cpu: \(quoted(cpu)), memory: \(quoted(memory))}",
                  "          volumeMounts:", "            - name: recipe", "              mountPath: /recipe", "              readOnly: true",
                  "      volumes:", "        - name: recipe", "          configMap:", "            name: \(name)-recipe"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar.
    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
