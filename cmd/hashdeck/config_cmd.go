package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/hashdeck/hashdeck/cmd/hashdeck/internal/config"
	"github.com/hashdeck/hashdeck/feeds/provider"
)

// runConfig is "hashdeck config": init, check and path.
func runConfig(args []string, stdout, stderr io.Writer) int {
	return runConfigEnv(args, stdout, stderr, os.Getenv)
}

// runConfigEnv is runConfig with the environment read through getenv.
func runConfigEnv(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "hashdeck config: give a command: init, check or path")
		fmt.Fprintln(stderr)
		configUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			return runConfigEnv([]string{args[1], "--help"}, stdout, stderr, getenv)
		}
		configUsage(stdout)
		return exitOK
	case "init":
		return runConfigInit(args[1:], stdout, stderr, getenv)
	case "check":
		return runConfigCheck(args[1:], stdout, stderr, getenv)
	case "path":
		return runConfigPath(args[1:], stdout, stderr, getenv)
	}
	fmt.Fprintf(stderr, "hashdeck config: unknown command %q\n\n", args[0])
	configUsage(stderr)
	return exitUsage
}

// configUsage writes the help of 'hashdeck config': the commands here,
// the environment and the settings from the config package.
func configUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: hashdeck config <command> [--config PATH] [flags]

Writes and checks hashdeck's configuration file (TOML). Every setting has a
default: hashdeck runs with no file at all.

Commands:
  init    write a commented file with every setting at its default
  check   load and validate the file; print every problem with its line
  path    print the path of the file that would be used

The file is $XDG_CONFIG_HOME/hashdeck/config.toml, else
$HOME/.config/hashdeck/config.toml, or the path given with --config. A
missing file at the default path means the defaults; a missing file named
with --config is an error.

`)
	config.WriteHelp(w)
	fmt.Fprint(w, "\nRun 'hashdeck config <command> --help' for the flags of a command.\n")
}

// configFlags is the flag set of one config command.
type configFlags struct {
	fs       *flag.FlagSet
	path     string
	explicit bool
	force    bool
}

func newConfigFlags(name string, force bool) *configFlags {
	f := &configFlags{fs: flag.NewFlagSet("hashdeck config "+name, flag.ContinueOnError)}
	f.fs.StringVar(&f.path, "config", "", "the configuration file `PATH` (default $XDG_CONFIG_HOME/hashdeck/config.toml or $HOME/.config/hashdeck/config.toml)")
	if force {
		f.fs.BoolVar(&f.force, "force", false, "replace an existing file (its contents are lost)")
	}
	return f
}

// parse parses args; done means the command is over with the exit code.
// --help prints the usage (about, then the flags) on stdout and exits 0.
func (f *configFlags) parse(args []string, stdout, stderr io.Writer, about string) (code int, done bool) {
	if code, done := parseFlags(f.fs, args, stdout, stderr, func(w io.Writer) {
		fmt.Fprint(w, about)
		fmt.Fprintln(w, "\nFlags:")
		f.fs.SetOutput(w)
		f.fs.PrintDefaults()
	}); done {
		return code, true
	}
	f.fs.Visit(func(fl *flag.Flag) { f.explicit = f.explicit || fl.Name == "config" })
	if f.explicit && strings.TrimSpace(f.path) == "" {
		fmt.Fprintf(stderr, "%s: --config: give the path of the file\n", f.fs.Name())
		return exitUsage, true
	}
	return 0, false
}

// resolve returns the file the command works on.
func (f *configFlags) resolve(getenv func(string) string) (string, error) {
	if f.explicit {
		return f.path, nil
	}
	return config.DefaultPath(getenv)
}

func runConfigPath(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	f := newConfigFlags("path", false)
	if code, done := f.parse(args, stdout, stderr, `Usage: hashdeck config path [--config PATH]

Prints the path of the configuration file hashdeck would read, whether or
not it exists: --config PATH, else $XDG_CONFIG_HOME/hashdeck/config.toml
(when XDG_CONFIG_HOME is an absolute path), else
$HOME/.config/hashdeck/config.toml.
`); done {
		return code
	}
	path, err := f.resolve(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck config path:", err)
		return exitError
	}
	fmt.Fprintln(stdout, path)
	return exitOK
}

func runConfigCheck(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	f := newConfigFlags("check", false)
	if code, done := f.parse(args, stdout, stderr, `Usage: hashdeck config check [--config PATH]

Loads and validates the configuration file and the HASHDECK_* environment
variables. Prints

  ok: PATH (N peers, M miner overrides, keys: coingecko unset, hashrateindex set; SEC EDGAR on)

with a warning when the SEC User-Agent would be refused (SEC EDGAR then
stays off),

or every problem, one per line as PATH:LINE: key: message, and exits 2.
A missing file at the default path is fine (the defaults are checked); a
missing file named with --config is an error.
`); done {
		return code
	}
	path, err := f.resolve(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck config check:", err)
		return exitUsage
	}
	c, err := config.Load(path, f.explicit, getenv)
	probs := config.Errors(err)
	if err == nil {
		if _, eerr := c.Endpoints(getenv); eerr != nil {
			for _, p := range config.Errors(eerr) {
				if p.Key == "" {
					p.Msg = "environment: " + p.Msg
				}
				probs = append(probs, p)
			}
		}
	}
	if len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintf(stderr, "hashdeck config check: %s in %s\n", configCount(len(probs), "problem", "problems"), path)
		return exitUsage
	}
	note := ""
	if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
		note = "; no file: the defaults"
	}
	switch ua := c.SECUserAgent(getenv); {
	case ua == "":
		note += "; SEC EDGAR off (no [sec] user_agent)"
	case provider.CheckSECUserAgent(ua) != nil:
		// Not an error: the dashboard runs, without the filings.
		fmt.Fprintf(stderr, "warning: sec.user_agent (or %s): %v; SEC EDGAR stays off\n", provider.SECUserAgentEnv, provider.CheckSECUserAgent(ua))
		note += "; SEC EDGAR off (see the warning)"
	default:
		note += "; SEC EDGAR on"
	}
	fmt.Fprintf(stdout, "ok: %s (%s, %s, keys: %s%s)\n", path,
		configCount(len(c.Peers.Tickers), "peer", "peers"),
		configCount(len(c.Miners), "miner override", "miner overrides"),
		c.Keys(getenv), note)
	return exitOK
}

func configCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func runConfigInit(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	f := newConfigFlags("init", true)
	if code, done := f.parse(args, stdout, stderr, `Usage: hashdeck config init [--config PATH] [--force]

Writes a configuration file with every setting at its default, each
commented with its unit, default and floor; optional settings are written
commented out. The directory is created with mode 0700 and the file with
mode 0600 (it may hold API keys). An existing file is not replaced without
--force.
`); done {
		return code
	}
	path, err := f.resolve(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "hashdeck config init:", err)
		return exitUsage
	}
	if err := config.WriteFile(path, []byte(config.DefaultFile()), f.force); err != nil {
		if errors.Is(err, fs.ErrExist) {
			fmt.Fprintf(stderr, "hashdeck config init: %s already exists; use --force to replace it (its contents are lost)\n", path)
			return exitError
		}
		fmt.Fprintln(stderr, "hashdeck config init:", err)
		return exitError
	}
	fmt.Fprintf(stdout, "wrote %s\nEdit it, then run 'hashdeck config check'.\n", path)
	return exitOK
}
