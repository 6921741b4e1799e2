// Package envelope encrypts secrets at rest (panel credentials, gateway
// secrets, API keys) with envelope encryption: each value gets a fresh
// AES-256-GCM data key, and only the data key is wrapped by a master key
// (KMS in AWS, a local key file under make dev). Callers bind ciphertext to
// its owner with associated data, so a value copied onto another record
// fails to open.
package envelope

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

// KeyWrapper makes and unwraps data keys.
type KeyWrapper interface {
	// GenerateDataKey returns a new 32-byte key and its wrapped form.
	GenerateDataKey(ctx context.Context) (plain, wrapped []byte, err error)
	// Unwrap returns the plaintext data key for a wrapped one.
	Unwrap(ctx context.Context, wrapped []byte) ([]byte, error)
}

// ErrCorrupt is returned by Open for sealed data that was altered, belongs
// to other associated data, or was sealed under another master key.
var ErrCorrupt = errors.New("envelope: sealed value cannot be opened")

const magic = "ezs1"

// Sealer seals and opens values under a KeyWrapper.
type Sealer struct{ keys KeyWrapper }

// New returns a Sealer using keys.
func New(keys KeyWrapper) *Sealer { return &Sealer{keys: keys} }

// Seal encrypts plaintext bound to aad (for example "service:svc_123").
func (s *Sealer) Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error) {
	dk, wrapped, err := s.keys.GenerateDataKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("envelope: generate data key: %w", err)
	}
	defer clear(dk)
	if len(wrapped) > 0xFFFF {
		return nil, errors.New("envelope: wrapped key too long")
	}
	gcm, err := newGCM(dk)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(magic)+2+len(wrapped)+gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	out = append(out, magic...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(wrapped)))
	out = append(out, wrapped...)
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("envelope: nonce: %w", err)
	}
	out = append(out, nonce...)
	return gcm.Seal(out, nonce, plaintext, aad), nil
}

// Open decrypts a value made by Seal with the same aad.
func (s *Sealer) Open(ctx context.Context, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < len(magic)+2 || string(sealed[:len(magic)]) != magic {
		return nil, ErrCorrupt
	}
	rest := sealed[len(magic):]
	n := int(binary.BigEndian.Uint16(rest))
	rest = rest[2:]
	if len(rest) < n {
		return nil, ErrCorrupt
	}
	wrapped, rest := rest[:n], rest[n:]
	dk, err := s.keys.Unwrap(ctx, wrapped)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return nil, err
		}
		return nil, fmt.Errorf("envelope: unwrap data key: %w", err)
	}
	defer clear(dk)
	gcm, err := newGCM(dk)
	if err != nil {
		return nil, err
	}
	if len(rest) < gcm.NonceSize() {
		return nil, ErrCorrupt
	}
	pt, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	return cipher.NewGCM(block)
}
