package image

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File stores a card image at one path. Commit is atomic with respect to
// power loss and crashes: readers see the previous or the new image, never a
// mix. A File is not safe for concurrent use.
type File struct {
	path string
}

// NewFile returns a File for path. It does no I/O.
func NewFile(path string) *File { return &File{path: path} }

// Path returns the image file's path.
func (f *File) Path() string { return f.path }

// Load reads and decodes the image. A missing file gives an error matching
// fs.ErrNotExist; a corrupt, truncated or unknown-version image an error
// naming the file and matching ErrCorrupt, ErrTruncated or ErrUnknownVersion.
func (f *File) Load() (*State, error) {
	b, err := os.ReadFile(f.path)
	if err != nil {
		return nil, fmt.Errorf("image: reading %s: %w", f.path, err)
	}
	return Decode(f.path, b)
}

// Create writes s as a new image and fails if the file already exists.
func (f *File) Create(s *State) error {
	if _, err := os.Lstat(f.path); err == nil {
		return fmt.Errorf("image: %s: %w", f.path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("image: %w", err)
	}
	return f.Commit(s)
}

// Commit writes s: encode, write a temporary file in the same directory,
// fsync it, rename it over the image and fsync the directory.
func (f *File) Commit(s *State) error {
	b, err := Encode(s)
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(f.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("image: committing %s: %w", f.path, err)
	}
	name := tmp.Name()
	fail := func(err error) error {
		_ = tmp.Close()
		_ = os.Remove(name)
		return fmt.Errorf("image: committing %s: %w", f.path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, f.path); err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("image: committing %s: %w", f.path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("image: syncing directory of %s: %w", f.path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("image: syncing directory of %s: %w", f.path, err)
	}
	return nil
}
