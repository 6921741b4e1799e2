// Package moto starts a moto server (the AWS emulator from PyPI) for tests,
// once per test binary, on a free loopback port. The repository's venv
// (.venv, made by `make venv`) provides it; MOTO_PYTHON names another
// Python with moto installed.
//
// moto's own moto_server serves requests on threads, and its DynamoDB
// backend then lets two racing conditional writes both succeed, which real
// DynamoDB never does; so the server runs through serial_moto.py, which
// serves one request at a time. It also honours TransactWriteItems' client
// request token as DynamoDB does (moto ignores it), so the SDK's retry after
// a reply the server dropped does not run a transaction twice.
//
// Tests that need it call Config(t); packages that use it call Main from
// TestMain so the server stops when the tests end.
package moto

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

var (
	once     sync.Once
	endpoint string
	startErr error
	proc     *exec.Cmd
)

// Main runs the tests and then stops the server if one was started.
func Main(m *testing.M) {
	code := m.Run()
	if proc != nil && proc.Process != nil {
		_ = proc.Process.Signal(syscall.SIGTERM)
		_ = proc.Wait()
	}
	os.Exit(code)
}

// Endpoint returns the running server's base URL, starting it on first use.
// A missing moto is a test failure, not a skip: `make test` installs it.
func Endpoint(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { endpoint, startErr = start() })
	if startErr != nil {
		tb.Fatalf("moto server: %v (run `make venv`, or set MOTO_PYTHON to a Python that has moto[server])", startErr)
	}
	return endpoint
}

// Config returns an aws.Config pointed at the moto server with fake
// credentials, so no request can reach real AWS.
func Config(tb testing.TB) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(Endpoint(tb)),
		// The SDK's default, as in production: under heavy parallel load the
		// single-threaded server occasionally drops a response mid-body ("use
		// of closed network connection"), a transient error the SDK retries
		// (transactions carry a client request token, so a retry is idempotent).
		RetryMaxAttempts: 3,
	}
}

func start() (string, error) {
	python, err := find()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "moto")
	if err != nil {
		return "", err
	}
	script := filepath.Join(dir, "serial_moto.py")
	if err := os.WriteFile(script, serialMoto, 0o600); err != nil {
		return "", err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(python, script, "127.0.0.1", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = nil, nil
	// Its own process group, so a killed test run does not orphan it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s %s: %w", python, script, err)
	}
	proc = cmd
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", errors.New("did not answer within 30s")
}

//go:embed serial_moto.py
var serialMoto []byte

func find() (string, error) {
	if p := os.Getenv("MOTO_PYTHON"); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, ".venv", "bin", "python")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("no .venv/bin/python with moto found")
}
