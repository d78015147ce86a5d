// Package atomicfile writes a whole file at once: a reader sees the old
// file or the new one, never half of either. It is written here because
// the approved module that does this (google/renameio) does not build on
// Windows, which hashdeck does.
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// Write writes data to path (or, when path is a symbolic link, to its
// target) through a temporary file in the same directory, with mode perm
// whatever the umask, then renames it over the old file.
func Write(path string, data []byte, perm os.FileMode) error {
	target := path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		target = t
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".hashdeck-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Chmod(perm)
	if err := errors.Join(werr, cerr, tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}
