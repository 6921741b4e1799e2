// Package statemachines embeds the Step Functions definitions, so the
// local runner executes exactly the files the template deploys.
package statemachines

import "embed"

// FS holds every *.asl.json in this directory.
//
//go:embed *.asl.json
var FS embed.FS
