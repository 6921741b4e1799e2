// Package config loads the platform's typed configuration from the
// environment once at start. Load fails with a message naming every missing
// or invalid variable, so a misconfigured function refuses to start instead
// of failing on its first request.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strings"

	"github.com/caarlos0/env/v11"
)

// Config is every setting a function or the local stack reads. The README's
// configuration table lists the same variables; keep them in step.
type Config struct {
	Stage      string     `env:"STAGE" envDefault:"local"`
	TableName  string     `env:"TABLE_NAME" envDefault:"ezscale"`
	LogLevel   slog.Level `env:"LOG_LEVEL" envDefault:"info"`
	WebOrigins []string   `env:"WEB_ORIGINS" envSeparator:","`
	// MaxBodyBytes caps every request body; larger bodies get 413.
	MaxBodyBytes int64 `env:"MAX_BODY_BYTES" envDefault:"1048576"`
	// AdminAPISecret is the bearer secret guarding /v1/admin until accounts
	// with roles and 2FA replace it.
	AdminAPISecret string `env:"ADMIN_API_SECRET"`
	// KMSKeyID selects KMS envelope encryption; without it LocalKeyFile is used.
	KMSKeyID     string `env:"KMS_KEY_ID"`
	LocalKeyFile string `env:"LOCAL_KEY_FILE"`
	// LowStockThreshold is the stock level at and below which plans show "low".
	LowStockThreshold int64 `env:"LOW_STOCK_THRESHOLD" envDefault:"3"`
}

// Stages the platform knows.
var stages = []string{"local", "test", "staging", "prod"}

// Load reads the configuration from environ (os.Environ() in production)
// and validates it.
func Load(environ map[string]string) (Config, error) {
	var c Config
	if err := env.ParseWithOptions(&c, env.Options{Environment: environ}); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", nameVariables(err))
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// FromOS converts os.Environ()-style pairs into the map Load takes.
func FromOS(pairs []string) map[string]string {
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return m
}

// Validate checks cross-field rules; each problem names its variable.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if !contains(stages, c.Stage) {
		bad("STAGE", "must be one of %s, got %q", strings.Join(stages, ", "), c.Stage)
	}
	if c.TableName == "" {
		bad("TABLE_NAME", "must not be empty")
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 10<<20 {
		bad("MAX_BODY_BYTES", "must be between 1024 and 10485760, got %d", c.MaxBodyBytes)
	}
	if c.AdminAPISecret != "" && len(c.AdminAPISecret) < 32 {
		bad("ADMIN_API_SECRET", "must be at least 32 characters")
	}
	if c.LowStockThreshold < 0 {
		bad("LOW_STOCK_THRESHOLD", "must not be negative")
	}
	for _, o := range c.WebOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
			bad("WEB_ORIGINS", "%q is not an origin like https://example.com", o)
		}
	}
	if c.Stage == "prod" || c.Stage == "staging" {
		if c.KMSKeyID == "" {
			bad("KMS_KEY_ID", "is required when STAGE is %s", c.Stage)
		}
	} else if c.KMSKeyID == "" && c.LocalKeyFile == "" {
		bad("LOCAL_KEY_FILE", "is required when KMS_KEY_ID is not set")
	}
	if len(errs) > 0 {
		return fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return nil
}

// nameVariables rewrites the env library's parse errors, which name struct
// fields, so that they name the environment variable an operator must fix.
func nameVariables(err error) error {
	agg, ok := errors.AsType[env.AggregateError](err)
	if !ok {
		return err
	}
	out := make([]error, 0, len(agg.Errors))
	t := reflect.TypeFor[Config]()
	for _, e := range agg.Errors {
		if pe, ok := errors.AsType[env.ParseError](e); ok {
			if f, ok := t.FieldByName(pe.Name); ok {
				name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
				out = append(out, fmt.Errorf("%s: invalid value: %w", name, pe.Err))
				continue
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
