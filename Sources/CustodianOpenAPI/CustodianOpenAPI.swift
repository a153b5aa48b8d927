// The types and server protocol swift-openapi-generator makes from openapi.yaml at build time (see
// openapi-generator-config.yaml); nothing is written here by hand. SwiftPM compiles a target's generated sources only
// when it has a source file of its own: this is it.
