package envelope_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ezscale/platform/shared/platform/envelope"
)

func TestLocalSealOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys", "master.key")
	keys, err := envelope.LoadOrCreateLocalKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v", fi.Mode(), err)
	}
	s := envelope.New(keys)
	sealed, err := s.Seal(ctx, []byte("root:hunter2"), []byte("service:svc_1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("plaintext visible in sealed value")
	}

	t.Run("OK", func(t *testing.T) {
		// A second process loading the same file must open what the first sealed.
		again, err := envelope.LoadOrCreateLocalKeys(path)
		if err != nil {
			t.Fatal(err)
		}
		pt, err := envelope.New(again).Open(ctx, sealed, []byte("service:svc_1"))
		if err != nil || string(pt) != "root:hunter2" {
			t.Fatalf("Open = %q, %v", pt, err)
		}
	})
	t.Run("ErrWrongAAD", func(t *testing.T) {
		if _, err := s.Open(ctx, sealed, []byte("service:svc_2")); !errors.Is(err, envelope.ErrCorrupt) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		bad := bytes.Clone(sealed)
		bad[len(bad)-1] ^= 1
		if _, err := s.Open(ctx, bad, []byte("service:svc_1")); !errors.Is(err, envelope.ErrCorrupt) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrOtherMasterKey", func(t *testing.T) {
		other, err := envelope.LoadOrCreateLocalKeys(filepath.Join(t.TempDir(), "k"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := envelope.New(other).Open(ctx, sealed, []byte("service:svc_1")); !errors.Is(err, envelope.ErrCorrupt) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrTruncated", func(t *testing.T) {
		for _, n := range []int{0, 3, 6, 20} {
			if _, err := s.Open(ctx, sealed[:n], nil); !errors.Is(err, envelope.ErrCorrupt) {
				t.Fatalf("len %d: err = %v", n, err)
			}
		}
	})
}

func FuzzOpen(f *testing.F) {
	keys, err := envelope.LoadOrCreateLocalKeys(filepath.Join(f.TempDir(), "k"))
	if err != nil {
		f.Fatal(err)
	}
	s := envelope.New(keys)
	sealed, _ := s.Seal(context.Background(), []byte("x"), nil)
	f.Add(sealed)
	f.Fuzz(func(t *testing.T, b []byte) {
		// Must never panic; anything not made by Seal must fail.
		if pt, err := s.Open(context.Background(), b, nil); err == nil && !bytes.Equal(pt, []byte("x")) {
			t.Fatalf("opened forged value to %q", pt)
		}
	})
}
