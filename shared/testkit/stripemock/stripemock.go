// Package stripemock runs stripe-mock (Stripe's official API emulator) for
// tests, on loopback ports only.
package stripemock

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// binary finds stripe-mock: $STRIPE_MOCK_BIN, then PATH, then the copy
// `make test-go` installs under bin/tools.
func binary() (string, error) {
	if b := os.Getenv("STRIPE_MOCK_BIN"); b != "" {
		return b, nil
	}
	if b, err := exec.LookPath("stripe-mock"); err == nil {
		return b, nil
	}
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			b := filepath.Join(dir, "bin", "tools", "stripe-mock")
			if _, err := os.Stat(b); err == nil {
				return b, nil
			}
			break
		}
	}
	return "", fmt.Errorf("stripe-mock not found: run `make test-go` (it installs bin/tools/stripe-mock) or set STRIPE_MOCK_BIN")
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs stripe-mock for the test and returns its HTTP base URL.
func Start(t *testing.T) string {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	httpPort, httpsPort := freePort(t), freePort(t)
	// Both addresses explicitly: with -http-addr alone it also serves HTTPS on all interfaces.
	cmd := exec.Command(bin, "-http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort), "-https-addr", fmt.Sprintf("127.0.0.1:%d", httpsPort))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", httpPort)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			return "http://" + addr
		}
	}
	t.Fatal("stripe-mock did not start listening within 20 s")
	return ""
}
