// Package ssmparams reads secrets from SSM Parameter Store at a function's
// cold start: GetParameters over the service's JSON protocol, signed with
// the SDK's SigV4 signer. It is not the SDK's ssm client because every
// served release of that client builds serialisation schemas at package
// initialisation, a cost paid at every cold start (see
// infra/deploy/functions_test.go), for one call a function makes once.
package ssmparams

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Client reads parameters.
type Client struct {
	cfg  aws.Config
	http *http.Client
	// Endpoint is the service's URL (the regional one by default).
	Endpoint string
}

// New returns a client for cfg's region and credentials; cfg's
// BaseEndpoint (AWS_ENDPOINT_URL, an emulator) takes precedence.
func New(cfg aws.Config, hc *http.Client) *Client {
	ep := fmt.Sprintf("https://ssm.%s.amazonaws.com/", cfg.Region)
	if cfg.BaseEndpoint != nil {
		ep = *cfg.BaseEndpoint
	}
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	return &Client{cfg: cfg, http: hc, Endpoint: ep}
}

// MissingError names parameters that do not exist (or this role may not
// read).
type MissingError struct{ Names []string }

func (e *MissingError) Error() string {
	return "SSM parameters not found: " + strings.Join(e.Names, ", ")
}

// Get reads names (decrypted), ten to a call as the API allows. Every
// name must exist.
func (c *Client) Get(ctx context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	var missing []string
	for batch := range slices.Chunk(names, 10) {
		var res struct {
			Parameters []struct {
				Name  string `json:"Name"`
				Value string `json:"Value"`
			} `json:"Parameters"`
			InvalidParameters []string `json:"InvalidParameters"`
		}
		if err := c.call(ctx, "GetParameters", map[string]any{"Names": batch, "WithDecryption": true}, &res); err != nil {
			return nil, err
		}
		for _, p := range res.Parameters {
			out[p.Name] = p.Value
		}
		missing = append(missing, res.InvalidParameters...)
	}
	if len(missing) > 0 {
		return nil, &MissingError{Names: missing}
	}
	return out, nil
}

// call makes one signed call, retried (reads are idempotent) on
// throttling, 5xx and network errors.
func (c *Client) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	var last error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 200 * time.Millisecond):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AmazonSSM."+op)
		creds, err := c.cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return fmt.Errorf("ssm %s: credentials: %w", op, err)
		}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", c.cfg.Region, time.Now()); err != nil {
			return fmt.Errorf("ssm %s: sign: %w", op, err)
		}
		res, err := c.http.Do(req)
		if err != nil {
			last = fmt.Errorf("ssm %s: %w", op, err)
			continue
		}
		data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
		res.Body.Close()
		switch {
		case err != nil:
			last = fmt.Errorf("ssm %s: %w", op, err)
			continue
		case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests || bytes.Contains(data, []byte("ThrottlingException")):
			last = fmt.Errorf("ssm %s: %s: %s", op, res.Status, snippet(data))
			continue
		case res.StatusCode != http.StatusOK:
			return fmt.Errorf("ssm %s: %s: %s", op, res.Status, snippet(data))
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("ssm %s: the answer is not JSON: %s", op, snippet(data))
		}
		return nil
	}
	return last
}

func snippet(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	return strings.TrimSpace(string(b))
}

// Prefix marks an environment value read from SSM: "ssm:/ezscale/prod/x".
const Prefix = "ssm:"

// Resolve replaces every value of environ written as ssm:<name> with the
// parameter's value, in one pass (a cold start's single round of calls).
// A missing parameter is an error naming the variable.
func Resolve(ctx context.Context, c *Client, environ map[string]string) error {
	wanted := map[string][]string{} // parameter → variables
	var names []string
	for k, v := range environ {
		if name, ok := strings.CutPrefix(v, Prefix); ok {
			if name == "" {
				return fmt.Errorf("%s: %q names no SSM parameter", k, v)
			}
			if wanted[name] == nil {
				names = append(names, name)
			}
			wanted[name] = append(wanted[name], k)
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	got, err := c.Get(ctx, names)
	if me, ok := err.(*MissingError); ok {
		var vars []string
		for _, n := range me.Names {
			for _, k := range wanted[n] {
				vars = append(vars, fmt.Sprintf("%s (SSM parameter %s)", k, n))
			}
		}
		slices.Sort(vars)
		return fmt.Errorf("not found: %s", strings.Join(vars, ", "))
	}
	if err != nil {
		return err
	}
	for n, vars := range wanted {
		for _, k := range vars {
			environ[k] = got[n]
		}
	}
	return nil
}
