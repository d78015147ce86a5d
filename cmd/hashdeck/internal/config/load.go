package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Error is one problem with the configuration: the key it concerns,
// what is wrong and, when known, the file and the line.
type Error struct {
	// Path is the file ("" for a Config that did not come from one).
	Path string
	// Line and Col are 1-based; 0 when not known.
	Line, Col int
	// Key names the setting: "intervals.network", "miner[2].cost_scope",
	// "peers.tickers[3]" ([N] counts from 1); "" for the file as a whole.
	Key string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying error, if any (a *toml.DecodeError, an fs error).
	Err error
}

// Error returns "path:line:col: key: message", leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Path != "" && e.Line > 0 && e.Col > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", e.Path, e.Line, e.Col)
	case e.Path != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.Path, e.Line)
	case e.Path != "":
		b.WriteString(e.Path + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	return b.String() + e.Msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errors returns the problems in err (as returned by [Load] or
// [Config.Validate]) one by one; an error that is not a *Error is
// wrapped in one.
func Errors(err error) []*Error {
	var out []*Error
	if ce, ok := err.(*Error); ok {
		return []*Error{ce}
	} else if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, Errors(e)...)
		}
	} else if err != nil {
		out = append(out, &Error{Msg: err.Error(), Err: err})
	}
	return out
}

// problems collects Errors.
type problems []*Error

func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (p problems) err() error {
	errs := make([]error, len(p))
	for i, e := range p {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// DefaultPath returns $XDG_CONFIG_HOME/hashdeck/config.toml when
// XDG_CONFIG_HOME is an absolute path (the XDG spec ignores a relative
// one), else $HOME/.config/hashdeck/config.toml, reading the variables
// with getenv. It fails when neither is usable.
func DefaultPath(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "hashdeck", "config.toml"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "hashdeck", "config.toml"), nil
	}
	return "", &Error{Msg: "cannot find the configuration file: neither XDG_CONFIG_HOME (absolute) nor HOME is set; give --config PATH"}
}

// maxFileSize bounds a configuration file; the default one is 5 KiB.
const maxFileSize = 1 << 20

// Load reads the configuration file at path (or, when path is "",
// at [DefaultPath] from getenv), lays it over [Default] and
// validates the result. A missing file is fine when it was not named
// explicitly (the defaults are returned); a missing file given with
// --config (explicit) is an error naming it. Anything but a regular file
// of at most 1 MiB is refused before it is read.
//
// Every problem is reported at once (errors.Join of *Error, in file
// order; see [Errors]), each naming its key and, when it is in the file,
// its line; but a syntax error ends the reading, and is the one problem
// reported, and a value of the wrong type leaves the values unchecked.
// The Config returned with an error holds what could be read and must not
// be used. The environment is not applied here: see
// [Config.Endpoints] and [Config.Keys].
func Load(path string, explicit bool, getenv func(string) string) (Config, error) {
	if path == "" && explicit {
		return Default(), &Error{Key: "--config", Msg: "give the path of the file"}
	} else if path == "" {
		p, err := DefaultPath(getenv)
		if err != nil {
			return Default(), err
		}
		path = p
	}
	data, err := readFile(path)
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return Default(), nil
	case errors.Is(err, fs.ErrNotExist):
		return Default(), &Error{Path: path, Msg: "no such file (create one with 'hashdeck config init --config " + path + "')", Err: err}
	case errors.As(err, &pe):
		return Default(), &Error{Path: path, Msg: "cannot read: " + pe.Err.Error(), Err: err}
	case err != nil:
		return Default(), &Error{Path: path, Msg: "cannot read: " + err.Error(), Err: err}
	}
	return Parse(path, data)
}

// readFile reads a regular file of at most maxFileSize bytes. A device
// (/dev/zero), a pipe or a directory is refused unread, and the read stops
// past the limit should the file grow meanwhile.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, errors.New("not a regular file")
	case fi.Size() > maxFileSize:
		return nil, errTooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = errTooBig
	}
	return data, err
}

var errTooBig = fmt.Errorf("larger than %d KiB: not a configuration file", maxFileSize>>10)
