import Foundation
import PackagePlugin

/// Embeds every file of the target's `Assets` folder (templates, the stylesheet, the message catalogues) in the
/// target as Swift strings at build time, so the console travels inside the binary and never looks for files at run
/// time.
@main
struct EmbedConsoleAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let folder = target.directoryURL.appending(path: "Assets")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        let inputs = names.map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "ConsoleAssets+Embedded.swift")
        // Each file becomes one entry of a dictionary, its text in a raw string literal.
        let script = ##"""
            out=$1; shift
            {
              printf '/// The files of Assets/, embedded at build time: name to text.\nlet embeddedConsoleAssets: [String: String] = [\n'
              for file in "$@"; do
                printf '    "%s": #"""\n' "$(basename "$file")"
                cat "$file"
                printf '\n"""#,\n'
              done
              printf ']\n'
            } > "$out"
            """##
        return [
            .buildCommand(
                displayName: "Embedding the console's assets",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "embed", output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]),
        ]
    }
}
