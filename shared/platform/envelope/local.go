package envelope

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LocalKeys wraps data keys with a 32-byte master key kept in a file. It
// stands in for KMS under make dev and in tests; it is not for production
// (the key sits on the same disk as the data).
type LocalKeys struct{ master []byte }

// LoadOrCreateLocalKeys reads the master key at path, creating it (mode
// 0600, parent directories 0700) when it does not exist.
func LoadOrCreateLocalKeys(path string) (*LocalKeys, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create key directory: %w", err)
		}
		// O_EXCL: if another process created the key meanwhile, use theirs.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateLocalKeys(path)
		}
		if err != nil {
			return nil, fmt.Errorf("create local key %s: %w", path, err)
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			return nil, fmt.Errorf("write local key %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("write local key %s: %w", path, err)
		}
		return &LocalKeys{master: key}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read local key %s: %w", path, err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("local key %s: want 32 bytes, found %d", path, len(key))
	}
	return &LocalKeys{master: key}, nil
}

// GenerateDataKey implements KeyWrapper.
func (l *LocalKeys) GenerateDataKey(context.Context) ([]byte, []byte, error) {
	dk := make([]byte, 32)
	if _, err := rand.Read(dk); err != nil {
		return nil, nil, err
	}
	gcm, err := newGCM(l.master)
	if err != nil {
		return nil, nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, err
	}
	return dk, gcm.Seal(nonce, nonce, dk, nil), nil
}

// Unwrap implements KeyWrapper.
func (l *LocalKeys) Unwrap(_ context.Context, wrapped []byte) ([]byte, error) {
	gcm, err := newGCM(l.master)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < gcm.NonceSize() {
		return nil, ErrCorrupt
	}
	dk, err := gcm.Open(nil, wrapped[:gcm.NonceSize()], wrapped[gcm.NonceSize():], nil)
	if err != nil {
		return nil, ErrCorrupt
	}
	return dk, nil
}
