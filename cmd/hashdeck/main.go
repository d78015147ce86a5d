// Command hashdeck is a terminal dashboard for the Bitcoin-mining sector:
// hashprice, difficulty and fees, the sector's cost against hashprice, and
// the listed miners side by side.
//
// Usage:
//
//	hashdeck <command> [flags]
//
// Run "hashdeck help" for the commands and "hashdeck <command> --help" for
// the flags of one.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command failed
	exitUsage = 2 // bad flags or input
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand: its name, a one-line summary and its entry point.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"calc", "compute hashprice, costs and break-evens from inputs given as flags", runCalc},
		{"config", "write, check or locate the configuration file (init, check, path)", runConfig},
		{"feeds", "poll every data source once and show what each returned and its health", runFeeds},
		{"serve", "serve the dashboard over SSH to many viewers, with optional Prometheus metrics", runServe},
		{"snapshot", "draw one view to txt, ansi, svg, png or html, or the board as json, for reports", runSnapshot},
	}
}

// run dispatches to a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])) {
		return runDash(args, stdout, stderr)
	}
	switch {
	case args[0] == "help" || isHelp(args[0]):
		if len(args) > 1 {
			return run([]string{args[1], "--help"}, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "hashdeck: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

// parseFlags parses args with fs the same way for every command: a bad
// flag is reported by the flag package on stderr, followed by a hint;
// --help prints usage on stdout and succeeds; a positional argument is an
// error. done is true when the command must return code at once.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, usage func(w io.Writer)) (code int, done bool) {
	fs.SetOutput(io.Discard) // the flag package's own messages spell flags -name; ours say --name
	fs.Usage = func() {}     // flag calls Usage on every error; help is printed only for --help
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return exitOK, true
		}
		fmt.Fprintf(stderr, "%s: %s\nRun '%s --help' for the flags.\n", fs.Name(), flagErrorText(err), fs.Name())
		return exitUsage, true
	}
	fs.SetOutput(stderr)
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, true
	}
	return 0, false
}

// flagErrorText restates an error of the flag package in the style of every
// other flag error: "--price NaN: ..." for a bad value, "--name" elsewhere.
func flagErrorText(err error) string {
	msg := err.Error()
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		return "--" + m[2] + " " + m[1] + ": " + m[3]
	}
	return singleDashFlag.ReplaceAllString(msg, "$1--$2")
}

var (
	// invalidValue matches the flag package's `invalid value "v" for flag -name: why`.
	invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -([\w-]+): (.*)$`)
	// singleDashFlag matches a flag name the flag package wrote with one dash.
	singleDashFlag = regexp.MustCompile(`(^|: |flag )-([\w-]+)`)
)

func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

func usage(w io.Writer) {
	fmt.Fprintln(w, "hashdeck: a terminal dashboard for the Bitcoin-mining sector.")
	fmt.Fprintln(w, "\nUsage:\n  hashdeck [--offline] [--config FILE] [--theme NAME] [--no-color]   the dashboard\n  hashdeck <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  help       show this help, or 'hashdeck help <command>' for one command")
	fmt.Fprintln(w, "\nUnits: hashprice in USD per PH/s per day, hashvalue in BTC per PH/s per day,\nefficiency in J/TH, power price in USD per kWh.")
}
