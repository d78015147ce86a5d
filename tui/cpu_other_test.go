//go:build !unix

package tui

// processCPU is not measured here: the benchmarks report 0 CPU per op.
func processCPU() int64 { return 0 }
