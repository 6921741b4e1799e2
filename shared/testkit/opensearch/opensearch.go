// Package opensearch starts a real OpenSearch node for tests (from
// Maven Central: the server and its netty transport, 2.19.x on Java 17),
// built and run from infra/opensearch with mvn and java. The node lives
// as long as the test binary: it stops when its standard input closes.
package opensearch

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	once sync.Once
	url  string
	err  error
	// keep holds the node's standard input open for as long as this
	// process lives (an unreachable pipe would be closed by its finalizer).
	keep io.WriteCloser
)

// URL is the address of the node shared by the tests of one package.
func URL(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { url, err = start() })
	if err != nil {
		tb.Fatalf("opensearch: %v", err)
	}
	return url
}

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func start() (string, error) {
	dir := filepath.Join(root(), "infra", "opensearch")
	work, err := os.MkdirTemp("", "opensearch-build")
	if err != nil {
		return "", err
	}
	cpFile := filepath.Join(work, "classpath.txt")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "mvn", "-q", "-B", "-f", filepath.Join(dir, "pom.xml"), "dependency:build-classpath", "-Dmdep.outputFile="+cpFile).CombinedOutput(); err != nil {
		return "", fmt.Errorf("mvn dependency:build-classpath: %v\n%s", err, out)
	}
	cp, err := os.ReadFile(cpFile)
	if err != nil {
		return "", err
	}
	classes := filepath.Join(work, "classes")
	src := filepath.Join(dir, "src", "main", "java", "cloud", "ezscale", "opensearch", "Node.java")
	if out, err := exec.CommandContext(ctx, "javac", "-d", classes, "-cp", string(cp), src).CombinedOutput(); err != nil {
		return "", fmt.Errorf("javac: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command("java", "-Xms512m", "-Xmx512m", "-cp", classes+string(os.PathListSeparator)+strings.TrimSpace(string(cp)), "cloud.ezscale.opensearch.Node", fmt.Sprint(port))
	stdin, err := cmd.StdinPipe() // closed when this process exits: the node stops
	if err != nil {
		return "", err
	}
	keep = stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return "", err
	}
	ready := make(chan error, 1)
	var tail []string
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if line == "ready" {
				ready <- nil
				go func() {
					for sc.Scan() { // keep the pipe drained
					}
				}()
				return
			}
			if tail = append(tail, line); len(tail) > 20 {
				tail = tail[1:]
			}
		}
		ready <- fmt.Errorf("the node exited before it was ready:\n%s", strings.Join(tail, "\n"))
	}()
	select {
	case err := <-ready:
		if err != nil {
			return "", err
		}
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		return "", fmt.Errorf("the node was not ready within 3 minutes")
	}
	u := fmt.Sprintf("http://127.0.0.1:%d", port)
	for i := 0; i < 100; i++ {
		if res, err := http.Get(u + "/_cluster/health?wait_for_status=yellow&timeout=30s"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return u, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "", fmt.Errorf("the node at %s never became healthy", u)
}
