//go:build unix

package tui

import "syscall"

// processCPU is the CPU time the process has used, user and system, in
// nanoseconds: on a loaded machine a benchmark's wall time per op varies
// with the other work, its CPU per op much less; and with the garbage
// collector's workers (and any goroutines a frame starts) it counts the
// whole work a frame costs, which is what many SSH sessions share.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
