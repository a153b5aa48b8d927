import Foundation
import PackagePlugin

/// Embeds the repository's `openapi.yaml` in the target as a Swift string at build time, so the executable serves
/// exactly the spec it was generated from without shipping a resource file.
@main
struct EmbedOpenAPIDocument: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let spec = context.package.directoryURL.appending(path: "openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument+Embedded.swift")
        let script = ##"""
            {
              printf '/// The bytes of openapi.yaml, embedded at build time.\nlet embeddedOpenAPIDocument = #"""\n'
              cat "$1"
              printf '\n"""#\n'
            } > "$2"
            """##
        return [
            .buildCommand(
                displayName: "Embedding openapi.yaml",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "embed", spec.path, output.path],
                inputFiles: [spec],
                outputFiles: [output]),
        ]
    }
}
