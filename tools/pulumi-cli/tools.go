//go:build tools

// Package tools pins the Pulumi CLI build dependencies for this wrapper module.
// The CLI itself (a main package, which cannot be imported) is recorded by the
// `tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` line in go.mod; these blank
// imports keep pkg/v3 and sdk/v3 as direct requirements under `go mod tidy`.
// Built by scripts/install-pulumi; never compiled on its own.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/engine"
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
