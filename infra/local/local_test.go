package main_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillKeepsData runs the real binary, registers an account, SIGKILLs
// the process and starts it again on the same data directory.
func TestKillKeepsData(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := t.TempDir()
	start := func() (*exec.Cmd, string, string) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "DATA_DIR="+data, fmt.Sprintf("PORT=%d", port), "WEB_DIST=")
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		found := make(chan string, 1)
		go func() { // reads until the child exits, so it never blocks on a full pipe
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "TOTP secret "); ok {
					found <- strings.Fields(v)[0]
				}
			}
		}()
		var secret string
		select {
		case secret = <-found:
		case <-time.After(30 * time.Second):
			t.Fatal("the local stack did not print the demo admin's TOTP secret within 30s")
		}
		return cmd, fmt.Sprintf("http://127.0.0.1:%d", port), secret
	}
	cmd, base, secret := start()
	body := `{"email":"survivor@example.com","password":"a durable passphrase","name":"Survivor"}`
	resp, err := http.Post(base+"/v1/auth/register", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("register: %v %v", err, resp)
	}
	resp.Body.Close()
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()

	_, base, secret2 := start()
	if secret2 != secret {
		t.Errorf("the demo admin's TOTP secret changed across restarts")
	}
	// The account is unconfirmed, so the right password answers 403 with
	// the e-mail field error (a lost account would answer 401).
	resp, err = http.Post(base+"/v1/auth/login", "application/json", strings.NewReader(`{"email":"survivor@example.com","password":"a durable passphrase"}`))
	if err != nil || resp.StatusCode != 403 {
		t.Fatalf("the account registered before the kill was not found: %v %v", err, resp)
	}
	resp.Body.Close()
	resp, err = http.Get(base + "/v1/plans?service_type=vps")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var listing struct {
		Plans []struct{ Slug string } `json:"plans"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&listing); err != nil {
		t.Fatal(err)
	}
	slugs := map[string]bool{}
	for _, p := range listing.Plans {
		slugs[p.Slug] = true
	}
	if !slugs["vps-standard"] {
		t.Fatalf("after kill and restart the plans are %v; want the seeded ones", slugs)
	}
	if len(listing.Plans) != 4 {
		t.Fatalf("seeding ran twice or lost plans: %d VPS plans", len(listing.Plans))
	}
}
