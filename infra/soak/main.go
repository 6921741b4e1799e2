// Command soak drives the local stack (bin/local) as many customers at once
// — sign-ups, orders, declined cards, renewals, plan changes both ways,
// refunds, cancellations, power actions, duplicated and shuffled webhooks,
// support tickets through the API and by mail through the SMTP port —
// while killing the process with SIGKILL at random moments and starting it
// again on the same data. After each restart and at the end it checks the
// platform's invariants and prints what it did and found; it exits 1 when
// an invariant is broken. `make soak` runs it (SOAK_SECONDS, default 600).
//
// Everything runs on 127.0.0.1; the run is bounded by -seconds.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/local", "the local stack binary")
	seconds := flag.Int("seconds", 600, "how long to drive load (kills included)")
	customers := flag.Int("customers", 8, "customers acting at once")
	keep := flag.Bool("keep", false, "keep the data directory (printed) after a failed run, to look at it with the binary")
	flag.Parse()
	if err := run(*bin, time.Duration(*seconds)*time.Second, *customers, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// proc is the stack process, restarted on the same data after each kill.
type proc struct {
	bin, dir, base string
	port           int
	smtp           string // the support mailbox's SMTP port, the same across restarts
	cmd            *exec.Cmd
	adminEmail     string
	adminPassword  string
	adminTOTP      string
}

var banner = struct{ admin, totp *regexp.Regexp }{
	admin: regexp.MustCompile(`Demo admin\s+(\S+) / (.+)\n`),
	totp:  regexp.MustCompile(`TOTP secret (\S+)`),
}

func (p *proc) start() error {
	cmd := exec.Command(p.bin)
	cmd.Env = append(os.Environ(), "DATA_DIR="+p.dir, fmt.Sprintf("PORT=%d", p.port), "WEB_DIST=", "DEMO_PURCHASE=off", "LOG_LEVEL=error", "SUPPORT_SMTP_ADDR="+p.smtp)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	p.cmd = cmd
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text() + "\n":
			default:
			}
		}
		close(lines)
	}()
	text := ""
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return errors.New("the stack exited while starting")
			}
			text += l
			if m := banner.admin.FindStringSubmatch(text); m != nil {
				p.adminEmail, p.adminPassword = m[1], m[2]
			}
			if m := banner.totp.FindStringSubmatch(text); m != nil {
				p.adminTOTP = m[1]
			}
		case <-deadline:
			return errors.New("the stack did not start in 30 s")
		}
		if p.adminTOTP != "" && healthy(p.base) {
			go func() { // keep draining so the process never blocks on stdout
				for range lines {
				}
			}()
			return nil
		}
	}
}

func healthy(base string) bool {
	res, err := http.Get(base + "/v1/healthz")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == 200
}

func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func run(bin string, length time.Duration, customers int, keep bool) (err error) {
	dir, err := os.MkdirTemp("", "ezscale-soak-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil && keep {
			fmt.Println("soak: data kept in", dir)
			return
		}
		os.RemoveAll(dir)
	}()
	port, err := freePort()
	if err != nil {
		return err
	}
	smtpPort, err := freePort()
	if err != nil {
		return err
	}
	p := &proc{bin: bin, dir: dir, port: port, base: fmt.Sprintf("http://127.0.0.1:%d", port), smtp: fmt.Sprintf("127.0.0.1:%d", smtpPort)}
	if err := p.start(); err != nil {
		return err
	}
	defer p.kill()
	w := newWorld(p.base, p.smtp)
	if err := w.signInAdmin(p.adminEmail, p.adminPassword, p.adminTOTP); err != nil {
		return err
	}
	started := time.Now()
	ctx, stop := context.WithTimeout(context.Background(), length)
	defer stop()

	// Customers act until the time is up; the killer meanwhile kills and
	// restarts the stack at random moments, checking after each restart.
	var down sync.RWMutex // held for writing while the stack is down
	var wg sync.WaitGroup
	for i := range customers {
		wg.Go(func() { w.customer(ctx, i, &down) })
	}
	kills := 0
	var failures []string
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(4000+rand.IntN(8000)) * time.Millisecond):
		}
		if ctx.Err() != nil {
			break
		}
		down.Lock()
		p.kill()
		kills++
		if err := p.start(); err != nil {
			down.Unlock()
			return fmt.Errorf("restart after kill %d: %w", kills, err)
		}
		w.restarts.Add(1)
		down.Unlock()
		failures = append(failures, w.checkAlways(fmt.Sprintf("after kill %d", kills))...)
	}
	wg.Wait()
	// Let everything in flight land (webhooks, outbox, provisioning), then
	// check everything. The embedded store's queries slow down as the table
	// grows (minidyn reads an index item by item), so a long run gets as
	// long to catch up as it ran.
	settled := w.settle(max(90*time.Second, length))
	failures = append(failures, w.checkAlways("at the end")...)
	failures = append(failures, w.checkSettled()...)
	w.report(time.Since(started), kills, settled, failures)
	if len(failures) > 0 {
		return fmt.Errorf("%d invariant violations", len(failures))
	}
	return nil
}

// counter is a named tally printed at the end.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name]++
}
