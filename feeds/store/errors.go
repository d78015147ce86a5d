package store

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// Error is a kind of failure the caller may want to tell apart with
// errors.Is. Errors returned by the store wrap one of the constants below
// when it applies, and name the database path and what was being done.
type Error string

// Error returns the text of the kind.
func (e Error) Error() string { return string(e) }

// The kinds of failure the store names.
const (
	// ErrNewerSchema: the database was written by a newer hashdeck whose
	// schema this binary does not know. The file is left untouched.
	ErrNewerSchema Error = "written by a newer hashdeck"
	// ErrNotHistory: the file is a valid SQLite database but not a hashdeck
	// history database (it has tables and no schema_migrations). It is
	// left untouched.
	ErrNotHistory Error = "not a hashdeck history database"
	// ErrReadOnly: the file or its directory cannot be written (permissions
	// or a read-only file system).
	ErrReadOnly Error = "read-only"
	// ErrDiskFull: the disk (or quota) is full.
	ErrDiskFull Error = "disk full"
	// ErrCorrupt: the file is not a database or is malformed. Open moves
	// such a file aside itself; a query can still meet corruption later,
	// and then returns this: close the store and open it again.
	ErrCorrupt Error = "database file is corrupt"
	// ErrClosed: the store was closed.
	ErrClosed Error = "history store is closed"
	// ErrInvalid: an argument is unusable (a NaN value, an empty metric,
	// an empty key); nothing was written.
	ErrInvalid Error = "invalid argument"
)

// SQLite primary result codes the store tells apart.
const (
	sqlitePerm     = 3
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteCorrupt  = 11
	sqliteFull     = 13
	sqliteCantOpen = 14
	sqliteNotADB   = 26
)

// sqliteCode returns the primary SQLite result code in err's chain, or 0.
func sqliteCode(err error) int {
	var c interface{ Code() int }
	if errors.As(err, &c) {
		return c.Code() & 0xff
	}
	return 0
}

// kindOf returns the kind of failure err is, or "" when it is none of them.
func kindOf(err error) Error {
	var k Error
	if errors.As(err, &k) {
		return k
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.EROFS, syscall.EACCES, syscall.EPERM:
			return ErrReadOnly
		case syscall.ENOSPC, syscall.EDQUOT:
			return ErrDiskFull
		}
	}
	if errors.Is(err, fs.ErrPermission) {
		return ErrReadOnly
	}
	switch sqliteCode(err) {
	case sqliteReadOnly, sqlitePerm:
		return ErrReadOnly
	case sqliteFull:
		return ErrDiskFull
	case sqliteCorrupt, sqliteNotADB:
		return ErrCorrupt
	}
	return ""
}

// pathError names the database path and the operation, and says which
// kind of failure err is when it is one:
//
//	history store /home/u/.local/share/hashdeck/history.db: add observations: disk full: database or disk is full
func pathError(path, op string, err error) error {
	if err == nil {
		return nil
	}
	var k Error
	if errors.As(err, &k) {
		// Already names its kind (and maybe the path): add only the op.
		return fmt.Errorf("history store %s: %s: %w", path, op, err)
	}
	if kind := kindOf(err); kind != "" {
		return fmt.Errorf("history store %s: %s: %w: %w", path, op, kind, err)
	}
	return fmt.Errorf("history store %s: %s: %w", path, op, err)
}
