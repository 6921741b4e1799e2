// Package blob stores opaque bytes by key: attachments now, invoice PDFs
// later. Dir keeps them in a local directory (make dev, tests); an S3
// adapter serves AWS.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Dir stores blobs as files below a directory.
type Dir struct{ root string }

// NewDir returns a store rooted at dir (created on first write).
func NewDir(dir string) *Dir { return &Dir{root: dir} }

func (d *Dir) path(key string) (string, error) {
	clean := filepath.Clean("/" + key)
	if key == "" || strings.Contains(key, "..") || clean == "/" || strings.ContainsRune(key, 0) {
		return "", fmt.Errorf("blob key %q is not a relative path", key)
	}
	return filepath.Join(d.root, filepath.FromSlash(clean)), nil
}

// Put writes data atomically (temporary file + rename).
func (d *Dir) Put(_ context.Context, key, _ string, data []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".blob-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Get reads a blob; apperr.NotFound when absent.
func (d *Dir) Get(_ context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, apperr.New(apperr.NotFound, "blob %s not found", key)
	}
	return b, err
}
