#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What this machine can run: CPU, memory, GPUs (from `nvidia-smi`, `rocm-smi` or
/// `/sys/class/drm`), and which model sizes fit where.
public struct Hardware: Sendable {
    public struct GPU: Sendable, Equatable {
        public var name: String
        public var memoryBytes: Int?
        public var freeBytes: Int?
        /// Where the figures came from: `nvidia-smi`, `rocm-smi`, `sysfs`.
        public var source: String
    }

    public var cpu: String?
    public var cores: Int
    public var memoryBytes: Int?
    public var availableBytes: Int?
    public var gpus: [GPU] = []

    /// Reads the machine. `environment` gives the `PATH` the GPU tools are found on.
    public static func current(environment: Environment = .current) -> Hardware {
        var hardware = Hardware(cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            hardware.cpu = info.split(separator: "\n").first { $0.hasPrefix("model name") }?
                .split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let memory = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            func kib(_ key: String) -> Int? {
                memory.split(separator: "\n").first { $0.hasPrefix(key + ":") }?.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
            }
            hardware.memoryBytes = kib("MemTotal")
            hardware.availableBytes = kib("MemAvailable")
        }
        hardware.gpus = nvidia(environment) + amd(environment)
        if hardware.gpus.isEmpty { hardware.gpus = sysfs() }
        return hardware
    }

    private static func tool(_ argv: [String], _ environment: Environment) -> String? {
        guard let program = ChildProcess.locate(argv[0], path: environment["PATH"]),
              let result = try? ChildProcess.runAndWait([program] + argv.dropFirst(), environment: ToolEnvironment.forTool(environment.values),
                                                         timeout: 5, outputLimit: 1 << 20),
              result.exitStatus == 0 else { return nil }
        return String(decoding: result.stdout, as: UTF8.self)
    }

    /// `nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits` (MiB).
    static func nvidia(_ environment: Environment) -> [GPU] {
        guard let text = tool(["nvidia-smi", "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"], environment) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 3, !fields[0].isEmpty else { return nil }
            return GPU(name: fields[0], memoryBytes: Int(fields[1]).map { $0 << 20 }, freeBytes: Int(fields[2]).map { $0 << 20 }, source: "nvidia-smi")
        }
    }

    /// `rocm-smi --showproductname --showmeminfo vram --json`.
    static func amd(_ environment: Environment) -> [GPU] {
        guard let text = tool(["rocm-smi", "--showproductname", "--showmeminfo", "vram", "--json"], environment),
              let cards = (try? JSONParser.parse(text))?.objectValue else { return [] }
        return cards.entries.compactMap { name, card in
            guard name.hasPrefix("card") else { return nil }
            let total = card["VRAM Total Memory (B)"]?.stringValue.flatMap { Int($0) }
            let used = card["VRAM Total Used Memory (B)"]?.stringValue.flatMap { Int($0) }
            return GPU(name: card["Card series"]?.stringValue ?? card["Card model"]?.stringValue ?? name, memoryBytes: total,
                       freeBytes: total.flatMap { t in used.map { t - $0 } }, source: "rocm-smi")
        }
    }

    /// Cards the kernel knows, where no vendor tool is installed (AMD reports its VRAM here).
    static func sysfs() -> [GPU] {
        guard let cards = try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/drm") else { return [] }
        return cards.filter { $0.hasPrefix("card") && !$0.contains("-") }.sorted().compactMap { card in
            let device = "/sys/class/drm/\(card)/device"
            guard let vendor = try? String(contentsOfFile: device + "/vendor", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
            let names = ["0x10de": "NVIDIA GPU", "0x1002": "AMD GPU", "0x8086": "Intel GPU"]
            let vram = (try? String(contentsOfFile: device + "/mem_info_vram_total", encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return GPU(name: names[vendor] ?? "GPU (vendor \(vendor))", memoryBytes: vram, source: "sysfs")
        }
    }

    public var record: JSONObject {
        var o: JSONObject = ["type": "hardware", "cores": .int(cores)]
        o.set("cpu", cpu.map(JSONValue.string))
        o.set("memory_bytes", memoryBytes.map(JSONValue.int))
        o.set("available_bytes", availableBytes.map(JSONValue.int))
        o["gpus"] = .array(gpus.map { gpu in
            var g: JSONObject = ["name": .string(gpu.name), "source": .string(gpu.source)]
            g.set("memory_bytes", gpu.memoryBytes.map(JSONValue.int))
            g.set("free_bytes", gpu.freeBytes.map(JSONValue.int))
            return .object(g)
        })
        o["fits"] = .array(ModelSizing.fits(self).map { .object($0.record) })
        return o
    }
}

/// Which model sizes and quantizations fit this machine. Memory needed is the weights
/// (parameters × bytes per weight) plus 20% for the context cache and runtime: a rule of
/// thumb, not a promise.
public enum ModelSizing {
    public static let sizes: [Double] = [1, 3, 4, 7, 8, 13, 14, 27, 32, 70]
    public static let quantizations: [(name: String, bytesPerWeight: Double)] = [("Q4_K_M", 0.6), ("Q8_0", 1.07), ("F16", 2.0)]

    public struct Fit: Sendable, Equatable {
        public var billions: Double
        public var quantization: String
        public var neededBytes: Int
        /// `gpu` (all layers in the largest GPU's memory), `ram`, or `no`.
        public var place: String

        var record: JSONObject {
            ["size": .string("\(Int(billions))B"), "quantization": .string(quantization), "needed_bytes": .int(neededBytes), "fits": .string(place)]
        }

        /// "7B Q4_K_M fits in GPU memory"
        public var sentence: String {
            let what = "\(Int(billions))B \(quantization)"
            switch place {
            case "gpu": return "\(what) fits in GPU memory"
            case "ram": return "\(what) fits only in RAM (slower)"
            default: return "\(what) does not fit"
            }
        }
    }

    public static func needed(billions: Double, bytesPerWeight: Double) -> Int {
        Int(billions * 1e9 * bytesPerWeight * 1.2)
    }

    public static func fits(_ hardware: Hardware) -> [Fit] {
        let gpu = hardware.gpus.compactMap { $0.freeBytes ?? $0.memoryBytes }.max() ?? 0
        let ram = hardware.availableBytes ?? hardware.memoryBytes ?? 0
        return sizes.flatMap { billions in
            quantizations.map { quantization in
                let bytes = needed(billions: billions, bytesPerWeight: quantization.bytesPerWeight)
                return Fit(billions: billions, quantization: quantization.name, neededBytes: bytes, place: bytes <= gpu ? "gpu" : bytes <= ram ? "ram" : "no")
            }
        }
    }
}

/// `--recommend`: local models worth trying, from a small table of well-known ones (sizes
/// of their Ollama Q4_K_M builds), kept to what fits.
public enum ModelAdvice {
    public static let catalog: [(ollama: String, billions: Double, use: String)] = [
        ("llama3.2:1b", 1, "fast drafts, autocomplete"), ("llama3.2:3b", 3, "small general model"),
        ("qwen3:4b", 4, "general, tools, reasoning"), ("gemma3:4b", 4, "general, vision"),
        ("llama3.1:8b", 8, "general, tools"), ("qwen3:8b", 8, "general, tools, reasoning"),
        ("gemma3:12b", 12, "general, vision"), ("qwen3:14b", 14, "stronger reasoning"),
        ("mistral-small3.2:24b", 24, "strong general, tools, vision"), ("gemma3:27b", 27, "strong general"),
        ("qwen3:32b", 32, "strongest that fits one 24-32 GB GPU"), ("llama3.3:70b", 70, "large: 48 GB+ of GPU memory"),
    ]

    public struct Pick: Sendable {
        public var model: String
        public var place: String
        public var use: String
        /// Already on the local Ollama server.
        public var installed = false

        public var record: JSONObject {
            var o: JSONObject = ["type": "recommendation", "model": .string(model), "runs_in": .string(place), "good_for": .string(use)]
            if installed { o["installed"] = true }
            return o
        }
    }

    /// Where each model an Ollama server has (by the size it reports) would run here.
    public static func installed(_ models: [ServedModel], on hardware: Hardware) -> [Pick] {
        let gpu = hardware.gpus.compactMap { $0.freeBytes ?? $0.memoryBytes }.max() ?? 0
        let ram = hardware.availableBytes ?? hardware.memoryBytes ?? 0
        return models.compactMap { model in
            guard let size = model.sizeBytes else { return nil }
            let needed = Int(Double(size) * 1.2)
            return Pick(model: model.name, place: needed <= gpu ? "gpu" : needed <= ram ? "ram" : "no", use: "installed", installed: true)
        }
    }

    /// On a CPU alone, bigger models fit but answer too slowly to be worth suggesting:
    /// up to 8B on an ordinary machine, 14B with 16 cores or more.
    static func largestForCPU(_ hardware: Hardware) -> Double { hardware.cores >= 16 ? 14 : 8 }

    /// The largest few that fit in GPU memory, then those that fit in RAM and a CPU can
    /// run, biggest first.
    public static func picks(_ hardware: Hardware, limit: Int = 5) -> [Pick] {
        let gpu = hardware.gpus.compactMap { $0.freeBytes ?? $0.memoryBytes }.max() ?? 0
        let ram = hardware.availableBytes ?? hardware.memoryBytes ?? 0
        let sized = catalog.map { entry in (entry, ModelSizing.needed(billions: entry.billions, bytesPerWeight: 0.6)) }
        let onGPU = sized.filter { $0.1 <= gpu }.reversed().map { Pick(model: $0.0.ollama, place: "gpu", use: $0.0.use) }
        let inRAM = sized.filter { $0.1 > gpu && $0.1 <= ram && $0.0.billions <= largestForCPU(hardware) }.reversed().map { Pick(model: $0.0.ollama, place: "ram", use: $0.0.use) }
        return Array((onGPU + inRAM).prefix(limit))
    }
}
