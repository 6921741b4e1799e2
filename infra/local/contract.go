//go:build contract

package main

import (
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/ezscale/platform/shared/testkit/apicontract"
)

// Built with -tags contract (make test-e2e), the local stack checks every
// API exchange the browser tests cause against openapi.yaml and appends
// each mismatch to API_CONTRACT_REPORT, which the suite reads at its end.
// make dev's binary does not carry the validator.
func init() {
	wrapHandler = func(h http.Handler) (http.Handler, error) {
		path := os.Getenv("API_CONTRACT_REPORT")
		if path == "" {
			return nil, fmt.Errorf("API_CONTRACT_REPORT: not set (a contract build writes its findings there)")
		}
		c, err := apicontract.New()
		if err != nil {
			return nil, err
		}
		var mu sync.Mutex
		c.OnFailure = func(f string) {
			mu.Lock()
			defer mu.Unlock()
			file, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			if err != nil {
				fmt.Fprintln(os.Stderr, "contract report:", err)
				return
			}
			defer file.Close()
			fmt.Fprintln(file, f)
		}
		return c.Wrap(h), nil
	}
}
